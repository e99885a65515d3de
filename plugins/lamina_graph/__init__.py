"""lamina's graph plug-in: spektral graph layers, pooling, graph datasets and explanations.

See `lamina_graph.datasets` for the data convention (node features in ``x``, the
adjacency in ``extras["a"]``) and `lamina_graph.layers` for how layers take
``[x, a]``.
"""
