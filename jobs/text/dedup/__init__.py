"""Spark-free helpers of the dedup stage, each working on a whole Arrow batch at once.

- `exact`: 128-bit keys of whitespace- and Unicode-normalised text (exact and whitespace copies);
- `urls`: URL normalisation (one page crawled under several spellings of its URL);
- `shingles`: word 5-gram shingles of the bench corpus' Jaccard definition, hashed to 64 bits;
- `minhash`: MinHash signatures (bit-for-bit datasketch 2.0.0's ``affine32`` scheme), LSH band keys
  and datasketch's optimal (bands, rows);
- `jaccard`: the true Jaccard of candidate pairs, to verify what LSH proposes.
"""
