"""The store: catalog, carts, orders, store facts, the product resolver and the staff HTTP API.

Imports nothing else of voxcart's; `dialogue` and the CLI call its service functions.
"""
