"""The guards of beyond_slides/theory.py that compare a measurement with its formula, each given a
result off by twice its tolerance (refused) and by half of it (accepted): a guard that accepted
anything would pass every test that hands it right results. Values worked by hand."""
import numpy as np
import pytest

from beyond_slides import theory

# p = 0.75 for y = 1 and w = (3, 4): dL/dh(T) = |p - y| ||w|| = 0.25 * 5 = 1.25; the guard's
# tolerance there is atol + rtol * 1.25 = 1e-7 + 1e-3 * 1.25 = 1.2501e-3.
LAST_TOL = 1e-7 + 1e-3 * 1.25


@pytest.mark.parametrize('off, refused', [(2 * LAST_TOL, True), (-2 * LAST_TOL, True),
                                          (0.5 * LAST_TOL, False), (-0.5 * LAST_TOL, False)])
def test_last_step_gradient_refused_just_past_its_tolerance(off, refused):
    norms = np.array([[9.0, 1.25 + off]])  # (B, T): only the last step is checked
    args = (norms, np.array([0.75]), np.array([1.0]), np.array([[3.0], [4.0]]))
    if refused:
        with pytest.raises(AssertionError):
            theory.assert_last_step_gradient(*args)
    else:
        theory.assert_last_step_gradient(*args)


# Gradients (3) and (4): global norm 5; clipped to 2.5 each is halved: (1.5) and (2.0).
GRADS = [np.array([3.0]), np.array([4.0])]


@pytest.mark.parametrize('factor, refused', [(1 + 2e-4, True), (1 - 2e-4, True), (1 + 5e-5, False)])
def test_clipping_refuses_a_global_norm_just_past_its_tolerance(factor, refused):
    # the norm's tolerance is rtol 1e-4 (and isclose's atol 1e-8): 5 * 2e-4 = 1e-3 is past it
    clipped = [g * 2.5 / (5.0 * factor) for g in GRADS]  # clipped as TF would with that norm
    if refused:
        with pytest.raises(AssertionError):
            theory.assert_clipping(5.0 * factor, GRADS, clipped, 2.5)
    else:
        theory.assert_clipping(5.0 * factor, GRADS, clipped, 2.5)


# The clipped (2.0)'s tolerance: atol + rtol * 2.0 = 1e-7 + 1e-4 * 2.0 = 2.001e-4.
CLIP_TOL = 1e-7 + 1e-4 * 2.0


@pytest.mark.parametrize('off, refused', [(2 * CLIP_TOL, True), (-2 * CLIP_TOL, True),
                                          (0.5 * CLIP_TOL, False)])
def test_clipping_refuses_a_clipped_gradient_just_past_its_tolerance(off, refused):
    clipped = [np.array([1.5]), np.array([2.0 + off])]
    if refused:
        with pytest.raises(AssertionError):
            theory.assert_clipping(5.0, GRADS, clipped, 2.5)
    else:
        assert theory.assert_clipping(5.0, GRADS, clipped, 2.5) == pytest.approx(abs(off) / (2.0 + off))
