"""The routing service: a FastAPI app over the inventory ledger and the solvers."""
