"""Training pipeline for psgan: procedural dataset, PSGAN model, progressive training, export."""
