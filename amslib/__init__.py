"""amslib: the helper library of the AMSGrad course.

Modules
-------
optimizers  NumPy reference implementations (SGD, momentum, AdaGrad, RMSProp, Adam/AMSGrad)
adamnc      AdamNC, the paper's second fix (beta_2t = 1 - 1/t)
beyond      what came after AMSGrad: AdamX, Yogi, AdaBound/AMSBound, AdamW, large-beta_2 Adam
torch_optim Adam/AMSGrad from scratch as a torch.optim.Optimizer
synthetic   (a package) the paper's counterexamples and a fast simulator (run, sweep):
              online      the problems and their gradient streams
              plain_loop  reference_run, the plain loop (the ground truth), RunResult
              scan        the scan engine: moments and the clipped walk for whole blocks
              simulators  the block simulators: Adam (and AdaBound, AdamNC) on the scan engine
              fast_adam   run and sweep on them, with the regret bookkeeping
            (amslib.online, .plain_loop, .scan and .fast_adam remain importable: the same modules)
validation  the checks every public function applies to its arguments (one message style)
schedules   step-size schedules alpha_t (constant, alpha / sqrt(t))
data        the UCI handwritten digits (8x8) with a fixed train/test split
models      small PyTorch models and a batched trainer for notebook 08
widgets     the interactive explorer of the synthetic problems (ipywidgets 7.7 and 8; the
            package explorer: its controls, runs, figure and widget)
problems    small 2-D test functions for trajectory plots
plotting    the course's shared figure style (colour-blind-safe, lecture-hall sizes)
exercises   automatic checks for the notebooks' exercises
setup       the set-up cell's helper (versions, seeds, device)
course      the course's public address and notebook list (defined once)
"""
__version__ = "0.1.0"
