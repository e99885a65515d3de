"""Chapter 8: encoder-decoders.

A convolutional autoencoder squeezes an image through a bottleneck and rebuilds it.
Trained to rebuild *clean* galaxies from noisy ones, it denoises; trained on one kind
of galaxy only, it rebuilds the others badly, so its reconstruction error flags
anomalies. A U-Net (an encoder-decoder with skip connections) segments the
`shapes_segmentation` images pixel by pixel.

Run from the repository root (writes docs/tutorials/img/ch08_*.png)::

    .venv/bin/python docs/tutorials/ch08_encoder_decoder.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

IMG = Path(__file__).resolve().parent / "img"
SIZE = 32


def autoencoder(epochs: int):
    import lamina

    return lamina.architecture(
        "conv_autoencoder",
        input_shape=[SIZE, SIZE, 1],
        output_activation="linear",
        learning_rate=0.003,
        epochs=epochs,
        batch_size=16,
    )


def iou(pred: np.ndarray, truth: np.ndarray) -> float:
    """Intersection over union of two boolean masks (the whole test set at once)."""
    union = np.logical_or(pred, truth).sum()
    return float(np.logical_and(pred, truth).sum() / union) if union else 1.0


def main(quick: bool = False, out_dir: Path = IMG) -> dict:
    """Runs the chapter; returns the denoising errors, the anomaly AUC and the U-Net IoU."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from sklearn.metrics import roc_auc_score

    import lamina

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    n = 300 if quick else 1200
    epochs = 8 if quick else 30

    # 1. denoising: noisy input, clean target
    clean = lamina.load_data("galaxies", params={"n": n, "size": SIZE, "noise": 0.0}).x
    noisy = (clean + 0.15 * rng.standard_normal(clean.shape)).astype("float32")
    run = lamina.train(autoencoder(epochs), data=(noisy, clean))
    test = run.splits.indices["test"]
    denoised = run.predict(noisy[test])
    noisy_mse = float(np.mean((noisy[test] - clean[test]) ** 2))
    denoised_mse = float(np.mean((denoised - clean[test]) ** 2))
    print(f"denoising: MSE to the clean image {noisy_mse:.5f} (noisy) -> {denoised_mse:.5f}")

    # 2. anomaly detection: train on ellipticals only, score everything by its error
    gal = lamina.load_data("galaxies", params={"n": n, "size": SIZE, "seed": 1})
    normal = gal.y == gal.class_names.index("elliptical")
    x_normal = gal.x[normal]
    half = len(x_normal) // 2
    ae = lamina.train(autoencoder(epochs), data=(x_normal[:half], x_normal[:half]), seed=0)
    held_out = np.concatenate([x_normal[half:], gal.x[~normal]])
    is_anomaly = np.r_[np.zeros(len(x_normal) - half), np.ones(int((~normal).sum()))]
    errors = np.mean((ae.predict(held_out) - held_out) ** 2, axis=(1, 2, 3))
    auc = float(roc_auc_score(is_anomaly, errors))
    err_normal, err_anomaly = (
        float(errors[is_anomaly == 0].mean()),
        float(errors[is_anomaly == 1].mean()),
    )
    print(
        f"anomalies: reconstruction error {err_normal:.5f} (ellipticals, unseen)"
        f" vs {err_anomaly:.5f} (spirals and mergers); ROC AUC {auc:.3f}"
    )

    # 3. segmentation with a U-Net
    shapes = lamina.load_data(
        "shapes_segmentation", params={"n": 160 if quick else 600, "size": SIZE, "binary": True}
    )
    unet = lamina.architecture(
        "unet",
        input_shape=[SIZE, SIZE, 1],
        n_classes=2,
        base_filters=8 if quick else 16,
        epochs=10 if quick else 30,
        learning_rate=0.003,
    )
    seg = lamina.train(unet, data=shapes)
    masks = seg.predict(seg.splits.test.x)[..., 0] > 0.5
    truth = seg.splits.test.y[..., 0] > 0.5
    seg_iou = iou(masks, truth)
    print(f"U-Net: test IoU {seg_iou:.3f}")

    fig = Figure(figsize=(11, 5.6), layout="constrained")
    axes = fig.subplots(2, 6)
    for k in range(2):
        row = [
            (clean[test[k]], "clean"),
            (noisy[test[k]], "noisy input"),
            (denoised[k], "denoised"),
            (seg.splits.test.x[k], "image"),
            (truth[k][..., None], "true mask"),
            (masks[k][..., None], f"U-Net (IoU {seg_iou:.2f})"),
        ]
        for ax, (img, title) in zip(axes[k], row, strict=True):
            ax.imshow(img[:, :, 0], cmap="gray")
            ax.set_title(title, fontsize=9)
            ax.set_axis_off()
    fig.savefig(out_dir / "ch08_denoise_segment.png", dpi=110)

    fig = Figure(figsize=(6, 3.4), layout="constrained")
    ax = fig.subplots()
    bins = np.linspace(errors.min(), np.quantile(errors, 0.98), 30)
    ax.hist(errors[is_anomaly == 0], bins, alpha=0.6, label="ellipticals (normal)")
    ax.hist(errors[is_anomaly == 1], bins, alpha=0.6, label="spirals and mergers")
    ax.set_xlabel("reconstruction error (MSE)")
    ax.set_title(f"autoencoder trained on ellipticals: ROC AUC {auc:.2f}")
    ax.legend()
    fig.savefig(out_dir / "ch08_anomaly.png", dpi=110)
    return {
        "noisy_mse": noisy_mse,
        "denoised_mse": denoised_mse,
        "error_normal": err_normal,
        "error_anomaly": err_anomaly,
        "auc": auc,
        "iou": seg_iou,
    }


if __name__ == "__main__":
    main()
