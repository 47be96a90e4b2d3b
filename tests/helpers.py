"""Small builders shared by the tests (fixtures live in conftest.py)."""

from __future__ import annotations

HEADER = "sku,name,aliases,category,unit,price,stock,options,description"


def catalog_csv(*rows: str, header: str = HEADER) -> str:
    """A catalog CSV: the header, then each row as written."""
    return "\n".join([header, *rows]) + "\n"


# A second store that has nothing to do with groceries: option groups like colour and size,
# names with sizes and counts in them, shared aliases.
HARDWARE_CSV = catalog_csv(
    "PAINT-2L,Interior Wall Paint 2.5 L,wall paint;emulsion;paint,paint,tin,24.99,12,"
    "color=white|magnolia|grey|blue;finish=matt|satin|gloss,Washable wall paint",
    "PRIMER,Wood Primer 750 ml,primer;wood primer;paint,paint,tin,11.50,8,,Primer for bare wood",
    "SCREWS-4X40,Wood Screws 4x40 mm (200),wood screws;screws;box of screws,fixings,box,6.75,30,"
    "head=pozi|torx,Zinc plated wood screws",
    "HAMMER,Claw Hammer 16 oz,claw hammer;hammer,tools,each,14.00,5,,Steel claw hammer",
    "GLOVES,Work Gloves,work gloves;gloves,safety,pair,4.99,40,size=m|l|xl,Grip work gloves",
    "DRILL-BITS,HSS Drill Bit Set (19),drill bits;drill bit set;bits,tools,set,18.90,6,,"
    "Metal drill bits 1-10 mm",
    'TAPE-MEASURE,Tape Measure 5 m,tape measure;measuring tape,tools,each,7.25,0,,"Out, for now"',
)
