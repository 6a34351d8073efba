"""magicpipe.verification"""
