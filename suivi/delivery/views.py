"""Pages of the delivery app."""
