"""What people and programs use: the ``tandem`` command (``cli``) and the web server
(``web``). Both only call the service."""
