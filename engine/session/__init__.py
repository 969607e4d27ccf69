"""The training process: runs, commands in, frames out."""
