"""Run records for other tools: TensorBoard event files (always) and MLflow (optional).

lamina's own run folder stays the source of truth; these records let the tools that
Keras users and labs already use open lamina's runs.
"""
