"""A shopper's own cart and orders, authenticated by `Authorization: Bearer <token>`.
Another shopper's orders answer 404, exactly as if they did not exist."""

from typing import Annotated

from fastapi import APIRouter, Body, Header, Response, status

from commerce.api.deps import CustomerDep, SessionDep
from commerce.api.schemas import CartItemIn, CartPublic, CheckoutIn, OrderPublic
from commerce.cart import add_to_cart, get_cart, remove_from_cart
from commerce.money import parse_price
from commerce.orders import cancel_order, checkout, get_order, list_orders

router = APIRouter(tags=["shopper"])


@router.get("/cart", response_model=CartPublic)
def read_cart(session: SessionDep, customer: CustomerDep) -> CartPublic:
    return CartPublic.of(get_cart(session, customer_id=customer.id))


@router.post("/cart/items", response_model=CartPublic, status_code=status.HTTP_201_CREATED)
def add_cart_item(session: SessionDep, customer: CustomerDep, item: CartItemIn) -> CartPublic:
    add_to_cart(
        session, customer_id=customer.id, sku=item.sku, quantity=item.qty, options=item.options
    )
    return CartPublic.of(get_cart(session, customer_id=customer.id))


@router.delete("/cart/items/{sku}", response_model=CartPublic)
def delete_cart_item(session: SessionDep, customer: CustomerDep, sku: str) -> CartPublic:
    return CartPublic.of(remove_from_cart(session, customer_id=customer.id, sku=sku))


@router.post("/checkout", response_model=OrderPublic, status_code=status.HTTP_201_CREATED)
def place_order(
    session: SessionDep,
    customer: CustomerDep,
    response: Response,
    body: Annotated[CheckoutIn | None, Body()] = None,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)] = None,
) -> OrderPublic:
    """Places the cart. Retrying with the same `Idempotency-Key` returns the same order."""
    body = body or CheckoutIn(fulfilment="pickup", expected_total=None)
    order = checkout(
        session,
        customer_id=customer.id,
        fulfilment=body.fulfilment,
        idempotency_key=idempotency_key,
        expected_total_cents=parse_price(body.expected_total) if body.expected_total else None,
    )
    return OrderPublic.of(order)


@router.get("/orders", response_model=list[OrderPublic])
def read_my_orders(session: SessionDep, customer: CustomerDep) -> list[OrderPublic]:
    return [OrderPublic.of(o) for o in list_orders(session, customer_id=customer.id)]


@router.get("/orders/{order_id}", response_model=OrderPublic)
def read_my_order(session: SessionDep, customer: CustomerDep, order_id: int) -> OrderPublic:
    return OrderPublic.of(get_order(session, order_id=order_id, customer_id=customer.id))


@router.post("/orders/{order_id}/cancel", response_model=OrderPublic)
def cancel_my_order(session: SessionDep, customer: CustomerDep, order_id: int) -> OrderPublic:
    order = cancel_order(
        session, order_id=order_id, customer_id=customer.id, changed_by=f"shopper:{customer.id}"
    )
    return OrderPublic.of(order)
