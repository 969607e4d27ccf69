"""The autoencoder family: an encoder stack, a code of `model.latent` units, a decoder stack, and its
variants (plain, denoising, sparse, contractive)."""
