"""Webhooks: endpoint policy, Standard Webhooks signing, delivery with retries, URL safety."""
