"""The numbers of backpropagation: the network, its activations and losses, the
optimisers, the phases of an iteration, the stepper and its history."""
