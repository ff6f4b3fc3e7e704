"""What the shopper does in "InPost Mobile", and the calls InPost makes to the merchant for it.

Each public function is one action of the phone app (docs/architecture.md#the-flows steps 2, 5-7, 9):
accept or reject a binding request, change the basket (quantity, promo codes,
related products), check out, unlink. The merchant is called through
`MerchantClient` (signed, logged); every basket it answers is contract-checked
and only a valid one replaces InPost's copy.

One module per screen of the app: `account` (sign-in), `binding_requests`, `basket`
(the list and one basket), `checkout`, `orders`; `payment` is the payment event both
checkout and paying again send, `common` what they all share.

Rule kept throughout: no database transaction stays open across a call to the
merchant, because the merchant may call InPost back while it handles ours.
Errors are `ApiError`s with a code, a message the simulator can show, and the
violations when the merchant's answer broke the contract.
"""
