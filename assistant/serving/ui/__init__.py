"""The Gradio user interfaces: the chat app (chat.py), the embeddable widget (widget.py) and the help desk
(helpdesk.py). They share one AppContext (context.py) and one renderer (render.py)."""
