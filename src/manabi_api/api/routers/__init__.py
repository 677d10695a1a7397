"""One router per resource of the API; `api.application` joins them."""
