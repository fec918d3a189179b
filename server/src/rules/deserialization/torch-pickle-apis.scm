; Every call; the check resolves what it calls through imports and aliases
; (import torch.distributed as dist; dist.broadcast_object_list(...)).
(call function: (_) @callee) @call
