"""Spark-free pieces of instruction-collection building: fields, templates, rendering, mixing."""
