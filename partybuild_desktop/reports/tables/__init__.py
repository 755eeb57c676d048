"""One module per official table or printout: plain data in, a ``Report`` out."""
