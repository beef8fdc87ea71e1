"""Quality and speed scripts, each printing one summary line (``python -m bench.similarity``)."""
