"""`rag eval`: scoring a question file (`scoring`), the report a person reads (`report`), and the
one percentile both this and `rag bench` use (`stats`)."""
