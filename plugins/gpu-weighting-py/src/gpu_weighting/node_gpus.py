"""`gpu_ranges`: the GPU rows of every node, read once per evaluation from the
`gpu_start` column, so the health checks and the scores of a thousand nodes
do not each build views to find them."""


def gpu_ranges(columns):
    """Per node row, `(start, end)` of its GPU rows: the SDK's `NodeView.gpus`
    rows (`gpu_start[row] .. gpu_start[row + 1]`, or to the GPU count for the
    last node, clamped so a malformed column yields empty ranges)."""
    node_count = len(columns.nodes.name)
    gpu_count = len(columns.gpus.node)
    bounds = [min(start, gpu_count) for start in columns.nodes.gpu_start]
    bounds += [gpu_count] * (node_count + 1 - len(bounds))
    return [(min(start, end), end) for start, end in zip(bounds, bounds[1 : node_count + 1])]
