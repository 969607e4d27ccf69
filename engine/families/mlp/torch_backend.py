"""The general backend: any layer stack as a torch module, trained with torch.optim on CPU or CUDA."""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from engine.families.mlp.backend import Hyper, SplitData
from engine.run_control import drop_grads, use_foreach
from engine.snapshot import LayerStat

FLOAT32_MAX = float(np.finfo(np.float32).max)
EVAL_CHUNK = 4096  # rows per forward pass in evaluation, bounding memory on big splits


class TorchBackend:
    """Trains a built Network with a torch optimizer; data lives on the device once."""

    def __init__(
        self,
        network: nn.Module,
        loss_fn,
        optimizer_name: str,
        lr: float,
        train: SplitData,
        test: SplitData | None,
        hyper: Hyper,
        device: str = "cpu",
        seed: int = 0,
        validation: SplitData | None = None,
    ):
        from engine.families.mlp.network import weight_tensors

        self.device = torch.device(device)
        self.network = network.to(self.device)
        self.loss_fn = loss_fn
        self.hyper = hyper
        self._named_weights = weight_tensors(self.network)
        self._weights = [w for _, w in self._named_weights]
        self._parameters = list(self.network.parameters())
        self._splits = {"train": self._to_device(train)}
        if test is not None and len(test.x):
            self._splits["test"] = self._to_device(test)
        if validation is not None and len(validation.x):
            self._splits["validation"] = self._to_device(validation)
        self._noise = torch.Generator(device=self.device).manual_seed(seed + 7)
        self.optimizer_name = optimizer_name
        self.optimizer = self._make_optimizer(optimizer_name, lr)
        self._applied_optimizer_params = dict(hyper.optimizer)
        self._stats: tuple[LayerStat, ...] = ()

    def _to_device(self, split: SplitData) -> tuple[torch.Tensor, torch.Tensor]:
        x = torch.as_tensor(split.x, dtype=torch.float32, device=self.device)
        t = torch.as_tensor(split.targets, device=self.device)
        t = t.long() if t.dtype == torch.int64 else t.float()
        return x, t

    def _make_optimizer(self, name: str, lr: float) -> torch.optim.Optimizer:
        from engine.nn.optim import OPTIMIZERS

        optimizer = OPTIMIZERS[name].factory(self.network.parameters(), lr, **self.hyper.optimizer)
        use_foreach(optimizer)  # bit-identical to torch's CPU default, fewer Python calls per update
        return optimizer

    def set_optimizer(self, name: str, lr: float) -> None:
        """Switch optimizer (fresh state, weights kept)."""
        self.optimizer_name = name
        self.optimizer = self._make_optimizer(name, lr)
        self._applied_optimizer_params = dict(self.hyper.optimizer)

    def optimizer_state(self) -> tuple[dict[str, np.ndarray], dict]:
        """torch.optim's state_dict split for safetensors + JSON: its buffers as arrays named
        `<param index>.<key>`, its param groups and any non-tensor entries as plain data."""
        saved = self.optimizer.state_dict()
        tensors, plain = {}, {}
        for index, entries in saved["state"].items():
            for key, value in entries.items():
                if torch.is_tensor(value):
                    tensors[f"{index}.{key}"] = value.detach().cpu().numpy().copy()
                else:
                    plain[f"{index}.{key}"] = value
        groups = [
            {k: list(v) if isinstance(v, tuple) else v for k, v in g.items()} for g in saved["param_groups"]
        ]
        return tensors, {"name": self.optimizer_name, "param_groups": groups, "plain": plain}

    def load_optimizer_state(self, tensors: dict[str, np.ndarray], info: dict) -> None:
        """Adopt what optimizer_state() returned; SpecError (and nothing changed) if it does not fit."""
        from engine.errors import SpecError

        if info.get("name") != self.optimizer_name:
            raise SpecError(
                "optimizer",
                f"the state is {info.get('name')!r}'s, this run trains with {self.optimizer_name!r}",
            )
        params = list(self.network.parameters())
        groups = info.get("param_groups") or []
        if [len(g.get("params", ())) for g in groups] != [
            len(g["params"]) for g in self.optimizer.param_groups
        ]:
            raise SpecError(
                "optimizer", f"the state's parameter groups do not match this network's {len(params)} tensors"
            )
        state: dict[int, dict] = {}
        for name, value in [*tensors.items(), *info.get("plain", {}).items()]:
            index, _, key = name.partition(".")
            if not index.isdigit() or int(index) >= len(params):
                raise SpecError("optimizer", f"buffer {name!r} names no parameter of this network")
            if isinstance(value, np.ndarray):
                if value.ndim and value.shape != tuple(params[int(index)].shape):
                    raise SpecError(
                        "optimizer",
                        f"buffer {name} has shape {value.shape}, the parameter has {tuple(params[int(index)].shape)}",
                    )
                value = torch.from_numpy(np.array(value))
            state.setdefault(int(index), {})[key] = value
        restored = [
            {k: tuple(v) if isinstance(v, list) and k != "params" else v for k, v in g.items()}
            for g in groups
        ]
        self.optimizer.load_state_dict({"state": state, "param_groups": restored})

    def _sync_hyper(self, lr: float) -> None:
        if self.hyper.optimizer != self._applied_optimizer_params:
            from engine.nn.optim import apply_optimizer_params

            apply_optimizer_params(self.optimizer, self.optimizer_name, self.hyper.optimizer)
            self._applied_optimizer_params = dict(self.hyper.optimizer)
        for group in self.optimizer.param_groups:
            group["lr"] = lr

    def train_batch(self, idx: np.ndarray, lr: float, collect: bool) -> float:
        from engine.nn.losses import penalty

        self._sync_hyper(lr)
        x_all, t_all = self._splits["train"]
        rows = torch.from_numpy(idx).to(self.device)
        xb, tb = x_all[rows], t_all[rows]
        if self.hyper.input_noise > 0:
            xb = xb + self.hyper.input_noise * torch.randn(
                xb.shape, generator=self._noise, device=self.device
            )
        if not self.network.training:  # evaluation left it in eval mode; train() walks every module
            self.network.train()
        data_loss = self.loss_fn(self.network(xb), tb)
        value = float(data_loss.item())  # the one sync per step: needed to stop at once on divergence
        if not math.isfinite(value):
            return value
        total = data_loss
        if self.hyper.l1 > 0 or self.hyper.l2 > 0:  # without a penalty the sum is the loss itself
            total = data_loss + penalty(self._weights, self.hyper.l1, self.hyper.l2)
            if not math.isfinite(float(total.item())):
                return float("inf")
        drop_grads(self._parameters)
        total.backward()
        grad_norms = (
            [w.grad.norm().item() if w.grad is not None else 0.0 for w in self._weights] if collect else []
        )
        if self.hyper.clip_mode == "norm":
            norm = nn.utils.clip_grad_norm_(self.network.parameters(), self.hyper.clip_max)
            if not math.isfinite(float(norm)):
                return float("inf")
        elif self.hyper.clip_mode == "value":
            nn.utils.clip_grad_value_(self.network.parameters(), self.hyper.clip_max)
        before = [w.detach().clone() for w in self._weights] if collect else []
        self.optimizer.step()
        if collect:
            self._stats = tuple(
                LayerStat(
                    name,
                    float(w.detach().norm()),
                    g,
                    float((w.detach() - b).norm()) / max(float(b.norm()), 1e-12),
                )
                for (name, w), g, b in zip(self._named_weights, grad_norms, before, strict=True)
            )
        return value

    @torch.no_grad()
    def evaluate(self, split: str) -> tuple[float, np.ndarray]:
        if split not in self._splits:
            return float("nan"), np.zeros((0, 1))
        x, t = self._splits[split]
        self.network.eval()
        total, outputs = 0.0, []
        for start in range(0, len(x), EVAL_CHUNK):
            out = self.network(x[start : start + EVAL_CHUNK])
            total += float(self.loss_fn(out, t[start : start + EVAL_CHUNK])) * len(out)
            outputs.append(out.float().cpu().numpy())
        return total / max(len(x), 1), np.concatenate(outputs)

    @torch.no_grad()
    def penalty(self) -> float:
        from engine.nn.losses import penalty

        return float(penalty(self._weights, self.hyper.l1, self.hyper.l2))

    def layer_stats(self) -> tuple[LayerStat, ...]:
        return self._stats

    @torch.no_grad()
    def all_fit_float32(self) -> bool:
        """Whether every float of the network (weights, batch norm's statistics) is finite: the
        largest magnitude is NaN if any value is, and NaN <= x is False."""
        return all(
            float(t.abs().max()) <= FLOAT32_MAX
            for t in self.network.state_dict().values()
            if t.is_floating_point() and t.numel()
        )

    def state_dict(self) -> dict[str, np.ndarray]:
        return {k: v.detach().cpu().numpy().copy() for k, v in self.network.state_dict().items()}

    def load_state_dict(self, state: dict[str, np.ndarray]) -> None:
        own = self.network.state_dict()
        self.network.load_state_dict(
            {k: torch.as_tensor(np.asarray(v)).to(own[k].dtype) for k, v in state.items()}
        )

    @torch.no_grad()
    def forward_probe(self, x: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        self.network.eval()
        xt = torch.as_tensor(x, dtype=torch.float32, device=self.device)
        out, acts = self.network.forward_with_activations(xt)
        return out.cpu().numpy(), [a.cpu().numpy() for a in acts]
