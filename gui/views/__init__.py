"""What shows the engine: the graph, the plots, the panels and the debugger's views; each
reads the controller and is refreshed by the scheduler."""
