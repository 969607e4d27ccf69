"""The variational autoencoder family: the autoencoder's stacks, a Gaussian code, and the ELBO."""
