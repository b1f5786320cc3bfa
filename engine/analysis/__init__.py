"""What the engine tells about a state: symmetry, the gradient check, the chain
rule, the matrices of a phase, comparisons with a learner's numbers, the input
plane, breakpoints."""
