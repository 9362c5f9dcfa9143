"""The HTTP service (Starlette, strawberry GraphQL) and the ``coco`` command line."""
