"""The private implementation of django_useauth: import only the public modules."""
