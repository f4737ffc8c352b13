"""The Qt window. It calls the core (``office``, ``reports``...) and holds no business rule."""
