"""magicpipe.passes"""
