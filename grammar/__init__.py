"""magicpipe.grammar"""
