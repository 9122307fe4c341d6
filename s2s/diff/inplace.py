"""Reverse mode for statements that update a value in place: stores `x[idx] = v`, and the
list stacks and `add_at` calls of derivative code that is being differentiated again.
"""
import gast

from ..naming import NUMPY_ALIAS
from ..parse.base import assign, clone, load, located
from .activity import expr_is_active
from .pytrees import at, distribute, leaves, store_refusal
from .saving import _call, _const, _is_atom, index_value


class InPlaceMixin:
    """The in-place half of the reverse-mode builder (`reverse._Builder`)."""

    def _is_pop(self, value):
        return (
            isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute) and value.func.attr == "pop"
            and isinstance(value.func.value, gast.Name) and value.func.value.id in self.lists and not value.args
        )

    def add_in_place(self, s, in_loop):
        """`add_at(a, idx, v)` (derivative code: `a[idx] += v` in place, scatter-add):
        `a`'s adjoint passes through; `v` gets the gathered `ba[idx]`."""
        a, idx, v = s.value.args
        if not isinstance(a, gast.Name) or not isinstance(v, gast.Name):
            raise self.error(s, "add_at needs named arguments", "add_at")
        if v.id not in self.active:
            return [s], []
        f_idx, b_idx, idx_b = self._save_index(idx, in_loop, s)
        f_v, b_v, v_b = self.save(v, in_loop, s, v.id)
        gathered = gast.Subscript(value=load(self.b(a.id)), slice=clone(idx_b), ctx=gast.Load())
        tmp = self.namer.fresh("b_contrib")
        bwd = b_idx + b_v + [assign(tmp, self.rt("unbroadcast", gathered, v_b), s), self.accumulate(v.id, load(tmp), s)]
        return f_idx + f_v + [s], self._mark(bwd)

    def add_to_list(self, s):
        """`add_to_list(acc, ct)` (derivative code: `acc[i] += ct[i]` in place): acc's adjoint
        passes through; element i of ct gets `bacc[i]`."""
        acc, ct = s.value.args
        if not isinstance(acc, gast.Name) or not isinstance(ct, gast.Name):
            raise self.error(s, "add_to_list needs named arguments", "add_to_list")
        if ct.id not in self.active:
            return [s], []
        struct = self.struct(ct.id)
        bacc = load(self.b(acc.id))
        if ct.id in self.lists:
            bwd = [self.accumulate(ct.id, bacc, s)]
        elif struct is not None:
            bwd = [self.accumulate(ct.id, gast.Subscript(value=clone(bacc), slice=_const(k), ctx=gast.Load()), s, (k,))
                   for k in struct.keys]
        else:  # an array whose rows are the elements
            bwd = [self.accumulate(ct.id, _call(gast.Attribute(value=load(NUMPY_ALIAS), attr="stack", ctx=gast.Load()), bacc), s)]
        return [s], self._mark(bwd)

    def push(self, s):
        """`tape.append(v)` in derivative code being differentiated: pop v's adjoint
        (a tuple of adjoints for a tuple of values)."""
        lst = s.value.func.value.id
        v = s.value.args[0]
        popped = _call(gast.Attribute(value=load(self.b(lst)), attr="pop", ctx=gast.Load()))
        if expr_is_active(v, self.active, self.program):
            tmp = self.namer.fresh("b_contrib")
            bwd = [assign(tmp, popped, s)]
            bwd += [self.accumulate(n, c, s, p) for n, p, c in self.leaf_contribs(distribute(v, load(tmp)))]
        else:
            bwd = [located(gast.Expr(value=popped), s)]
        return [s], self._mark(bwd)

    def store(self, s, in_loop):
        """`x[idx] = v`: save the overwritten part; backward restores it."""
        target = s.targets[0]
        if not isinstance(target.value, gast.Name):
            raise self.error(s, "assigning into an indexed expression is not supported; name it first", "subscript store")
        x = target.value.id
        s, value, pre_f, pre_b = self._stored_value(s, in_loop)
        target = s.targets[0]
        f_idx, b_idx, idx_b = self._save_index(target.slice, in_loop, s)
        old = gast.Subscript(value=load(x), slice=clone(target.slice), ctx=gast.Load())
        f_old, b_old = [], []
        old_b = self.keep(self.rt("copy_value", old), in_loop, s, f"{x}_old", f_old, b_old)
        bwd = list(b_idx) + list(b_old)
        restore = assign(gast.Subscript(value=load(x), slice=clone(idx_b), ctx=gast.Store()), old_b, s)
        if x in self.active:
            part = gast.Subscript(value=load(self.b(x)), slice=clone(idx_b), ctx=gast.Load())
            if self._may_repeat(target.slice):
                # an integer-array index may name a position twice: the last write wins
                part = self.rt("stored_part", load(self.b(x)), index_value(clone(idx_b)))
            if isinstance(value, gast.Name) and value.id in self.active:
                fv, bv, val_b = self.save(value, in_loop, s, value.id)
                f_idx += fv
                bwd += bv
                tmp = self.namer.fresh("b_contrib")
                bwd.append(assign(tmp, self.rt("unbroadcast", part, val_b), s))
                # Accumulate before zeroing: `part` may be a view of the adjoint (a slice).
                bwd.append(self.accumulate(value.id, load(tmp), s))
                bwd.append(assign(gast.Subscript(value=load(self.b(x)), slice=clone(idx_b), ctx=gast.Store()), _const(0.0), s))
            else:
                bwd.append(assign(gast.Subscript(value=load(self.b(x)), slice=clone(idx_b), ctx=gast.Store()), _const(0.0), s))
        bwd.append(restore)
        return pre_f + f_idx + f_old + [s], self._mark(bwd) + pre_b

    def list_store(self, s, in_loop):
        """`L[i] = v` on a list built in place: v gets bL[i], which restarts at zero (the old
        element is gone). Nothing to restore: rules read saved names, not L's elements."""
        target = s.targets[0]
        lst = target.value.id
        if isinstance(target.slice, (gast.Slice, gast.Tuple)):
            raise self.error(s, f"{lst} is a list built in place: while differentiating, assign its elements one "
                             f"at a time ({lst}[i] = v)", "list slice")
        s, value, pre_f, pre_b = self._stored_value(s, in_loop)
        if lst not in self.active:
            return pre_f + [s], pre_b
        f_idx, bwd, idx_b = self._save_index(s.targets[0].slice, in_loop, s)
        part = gast.Subscript(value=load(self.b(lst)), slice=clone(idx_b), ctx=gast.Load())
        if isinstance(value, gast.Name) and value.id in self.active:
            tmp = self.namer.fresh("b_contrib")
            bwd += [assign(tmp, part, s), self.accumulate(value.id, load(tmp), s)]
        bwd.append(assign(gast.Subscript(value=load(self.b(lst)), slice=clone(idx_b), ctx=gast.Store()),
                          self.rt("zeros_like", clone(part)), s))
        return pre_f + f_idx + [s], self._mark(bwd) + pre_b

    def struct_store(self, s, in_loop):
        """`t[k] = v` into a list of known structure (a constant k): v gets leaf k's adjoint,
        which restarts at zero (the old element is gone)."""
        target = s.targets[0]
        name, struct = target.value.id, self.struct(target.value.id)
        k = struct.key(target.slice.value) if isinstance(target.slice, gast.Constant) else None
        if k is None:
            raise self.error(s, store_refusal(name, struct, target.slice), f"{struct.kind} index")
        s, value, pre_f, pre_b = self._stored_value(s, in_loop)
        if name not in self.active:
            return pre_f + [s], pre_b
        bwd = []
        for p in leaves(at(struct, (k,))):
            leaf = self.b(name, (k,) + p)
            if isinstance(value, gast.Name) and value.id in self.active:
                bwd.append(self.accumulate(value.id, load(leaf), s, p))
            bwd.append(assign(leaf, self.rt("zeros_like", load(leaf)), s))
        return pre_f + [s], self._mark(bwd) + pre_b

    def _stored_value(self, s, in_loop):
        """`x[idx] = op(a)` -> `stored = op(a)` (differentiated like an assignment) and
        `x[idx] = stored`: (the store, its atom value, fwd and bwd of the assignment)."""
        value = s.value
        if _is_atom(value):
            return s, value, [], []
        target = s.targets[0]
        tmp = self.namer.fresh("stored")
        self.fresh_names.add(tmp)
        if expr_is_active(value, self.active, self.program):
            self.active.add(tmp)
        pre_f, pre_b = self.assign(assign(tmp, value, s), in_loop)
        store = assign(gast.Subscript(value=load(target.value.id), slice=target.slice, ctx=gast.Store()), load(tmp), s)
        return store, load(tmp), pre_f, pre_b

    def _may_repeat(self, idx):
        """Can index `idx` select one position twice (an integer array, or a name of unknown rank)?"""
        parts = idx.elts if isinstance(idx, gast.Tuple) else [idx]
        for p in parts:
            if isinstance(p, (gast.Constant, gast.Slice)):
                continue
            if isinstance(p, gast.Name) and (self.ranks.of(p.id) == 0 or p.id in self.assigns.loop_targets):
                continue
            return True
        return False
