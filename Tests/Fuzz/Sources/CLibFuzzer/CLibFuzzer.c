// The declaration in include/CLibFuzzer.h is the whole module; libFuzzer defines the function.
