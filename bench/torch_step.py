"""PyTorch reference timings for the paper's model: an SGD step and a MARTHE
step written the usual way (double backward for H.Z), float32, same batch size.

usage: torch_step.py [ROUNDS]                CPU, 1 and 2 threads
       torch_step.py --vgg [ROUNDS]          VGG-11-BN, batch 128, 3x32x32, CPU, 2 threads
       torch_step.py --cuda eager|compile    the GPU, eager or with torch.compile
"""
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "models"))

torch.manual_seed(0)
BATCH, LAYERS = 100, [784, 500, 500, 500, 10]


def model():
    layers = []
    for i in range(len(LAYERS) - 1):
        layers.append(torch.nn.Linear(LAYERS[i], LAYERS[i + 1]))
        if i + 2 < len(LAYERS):
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def batch(device="cpu", shape=(BATCH, 784)):
    return (torch.rand(*shape, device=device),
            torch.randint(0, 10, (shape[0],), device=device))


def sgd_step(net, params, eta, data):
    x, y = data
    loss = torch.nn.functional.cross_entropy(net(x), y)
    grads = torch.autograd.grad(loss, params)
    with torch.no_grad():
        for p, g in zip(params, grads):
            p -= eta * g


def marthe_step(net, params, state, data, validation):
    # Z' = mu (Z - eta H Z) - g, hypergradient <Z', grad E(w')>, g1 = <-g, grad E(w')>.
    eta, mu, z = state["eta"], state["mu"], state["z"]
    x, y = data
    loss = torch.nn.functional.cross_entropy(net(x), y)
    grads = torch.autograd.grad(loss, params, create_graph=True)
    hz = torch.autograd.grad(grads, params, grad_outputs=z)
    with torch.no_grad():
        state["z"] = [mu * (zi - eta * h) - g for zi, h, g in zip(z, hz, grads)]
        for p, g in zip(params, grads):
            p -= eta * g
    vx, vy = validation
    e = torch.autograd.grad(torch.nn.functional.cross_entropy(net(vx), vy), params)
    hg = sum((zi * ei).sum() for zi, ei in zip(state["z"], e))
    g1 = sum((-g * ei).sum() for g, ei in zip(grads, e))
    return float(hg), float(g1)


def milliseconds(fn, calls=20):
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) * 1e3 / calls


def time_steps(threads, rounds, net=None, shape=(BATCH, 784), calls=20):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    net = net or model()
    params = list(net.parameters())
    state = {"eta": 0.01, "mu": 0.9, "z": [torch.zeros_like(p) for p in params]}
    data, validation = batch(shape=shape), batch(shape=shape)
    sgd, marthe = [], []
    for _ in range(rounds):
        sgd.append(milliseconds(lambda: sgd_step(net, params, 0.01, data), calls))
        marthe.append(milliseconds(lambda: marthe_step(net, params, state, data, validation),
                                   calls))
    return statistics.median(sgd), statistics.median(marthe)


def vgg_main(rounds=5):
    """VGG-11-BN in training mode (batch statistics), as the CNN benchmark."""
    import cnn
    torch.manual_seed(0)
    net = cnn.vgg11_bn(10).train()
    s, m = time_steps(2, rounds, net, (128, 3, 32, 32), calls=2)
    print(f"PyTorch {torch.__version__} VGG-11-BN batch 128, 2 threads, median of {rounds} "
          f"rounds x 2 calls: SGD step {s:.1f} ms, MARTHE step {m:.1f} ms ({m / s:.2f}x SGD step)")


def main(rounds=9):
    """PyTorch's fastest configuration: 1 and 2 threads, the faster of each step."""
    best = None
    for threads in (1, 2):
        s, m = time_steps(threads, rounds)
        print(f"PyTorch {torch.__version__}, {threads} thread(s), median of {rounds} rounds x 20 calls: "
              f"SGD step {s:.3f} ms, MARTHE step {m:.3f} ms ({m / s:.2f}x SGD step)")
        best = (s, m) if best is None else (min(best[0], s), min(best[1], m))
    print(f"PyTorch fastest   SGD step {best[0]:.3f} ms, MARTHE step {best[1]:.3f} ms")
    return best


def cuda_milliseconds(fn, calls=50):
    fn()
    torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    torch.cuda.synchronize()
    return (time.perf_counter() - start) * 1e3 / calls


def cuda_times(compile_steps, rounds):
    """Median ms per SGD and MARTHE step on the GPU; None for a step that fails."""
    torch.manual_seed(0)
    net = model().cuda()
    params = list(net.parameters())
    state = {"eta": 0.01, "mu": 0.9, "z": [torch.zeros_like(p) for p in params]}
    data, validation = batch("cuda"), batch("cuda")
    sgd_fn, marthe_fn = sgd_step, marthe_step
    if compile_steps:
        sgd_fn, marthe_fn = torch.compile(sgd_step), torch.compile(marthe_step)
    results = []
    for step in (lambda: sgd_fn(net, params, 0.01, data),
                 lambda: marthe_fn(net, params, state, data, validation)):
        try:
            results.append(statistics.median(cuda_milliseconds(step) for _ in range(rounds)))
        except Exception as error:  # torch.compile of double backward may not work
            print(f"  torch.compile failed: {type(error).__name__}: {str(error).splitlines()[0][:120]}")
            results.append(None)
    return results


def cuda_main(mode, rounds=9):
    s, m = cuda_times(mode == "compile", rounds)
    show = lambda v: "failed" if v is None else f"{v:.3f} ms"
    name = "torch.compile" if mode == "compile" else "eager"
    print(f"PyTorch {torch.__version__} on {torch.cuda.get_device_name()}, {name}: "
          f"SGD step {show(s)}, MARTHE step {show(m)}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--cuda"]:
        cuda_main(sys.argv[2], *map(int, sys.argv[3:]))
    elif sys.argv[1:2] == ["--vgg"]:
        vgg_main(*map(int, sys.argv[2:]))
    else:
        main(*map(int, sys.argv[1:]))
