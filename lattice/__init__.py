"""magicpipe.lattice"""
