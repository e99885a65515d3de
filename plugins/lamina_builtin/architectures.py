"""Architecture templates of the built-in catalogue.

Each template is a function with keyword parameters only (all with defaults) that
returns a model spec as a plain, JSON-serialisable dict (see ``lamina.spec``)::

    {"spec_version": 1, "name": ..., "description": ..., "input": {...},
     "layers": [...], "compile": {...}, "training": {...}}

Items name catalogue entries by their registered name and carry the layer's
constructor keyword arguments (lists, never tuples). The spec is then edited like any
other: a template is a starting point, not a fixed model.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

SPEC_VERSION = 1

_CLASSIFICATION_TASKS = ("classification", "regression")
_POOLINGS = {"max": "MaxPooling2D", "average": "AveragePooling2D", "sum": "SumPooling2D"}
_UPSAMPLINGS = ("upsample", "transpose")
_RNN_CELLS = ("LSTM", "GRU", "SimpleRNN")
_POSITIONAL_KINDS = ("sinusoidal", "learned")


# --------------------------------------------------------------------------- helpers


def _item(type_: str, **params: Any) -> dict[str, Any]:
    return {"type": type_, "params": params}


def _shape(value: Sequence[int], name: str = "input_shape", ndim: int | None = None) -> list[int]:
    shape = list(value)
    if (
        not shape
        or any(isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in shape)
        or (ndim is not None and len(shape) != ndim)
    ):
        want = f"{ndim} positive ints" if ndim is not None else "positive ints"
        raise ValueError(f"`{name}` must be a list of {want}. Received: {name}={value!r}")
    return shape


def _ints(value: Sequence[int], name: str, allow_empty: bool = False) -> list[int]:
    ints = list(value)
    if (not ints and not allow_empty) or any(
        isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in ints
    ):
        raise ValueError(f"`{name}` must be a list of positive ints. Received: {name}={value!r}")
    return ints


def _positive(value: Any, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"`{name}` must be an integer >= {minimum}. Received: {name}={value!r}")
    return value


def _rate(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 1:
        raise ValueError(f"`{name}` must be a float in [0, 1). Received: {name}={value!r}")
    return float(value)


def _choice(value: Any, choices: Sequence[str], name: str) -> str:
    if value not in choices:
        raise ValueError(f"`{name}` must be one of {tuple(choices)}. Received: {name}={value!r}")
    return value


def _check_divisible(shape: list[int], factor: int, what: str) -> None:
    if shape[0] % factor or shape[1] % factor:
        raise ValueError(
            f"{what} needs an input height and width divisible by {factor}. "
            f"Received: input_shape={shape}"
        )


def _classifier_head(n_classes: int, task: str) -> tuple[dict[str, Any], str, list[str]]:
    """The last Dense item, the loss name and the metrics of a classifier/regressor."""
    if task == "regression":
        return _item("Dense", units=n_classes), "mean_squared_error", ["mae"]
    return (
        _item("Dense", units=n_classes, activation="softmax"),
        "sparse_categorical_crossentropy",
        ["accuracy"],
    )


def _spec(
    name: str,
    task: str,
    input_shape: list[int],
    items: list[dict[str, Any]],
    loss: str,
    metrics: list[str],
    learning_rate: float,
    epochs: int,
    batch_size: int,
    dtype: str = "float32",
) -> dict[str, Any]:
    if isinstance(learning_rate, bool) or not isinstance(learning_rate, int | float):
        raise ValueError(
            f"`learning_rate` must be a positive float. Received: learning_rate={learning_rate!r}"
        )
    if learning_rate <= 0:
        raise ValueError(
            f"`learning_rate` must be a positive float. Received: learning_rate={learning_rate!r}"
        )
    return {
        "spec_version": SPEC_VERSION,
        "name": name,
        "description": f"{task.capitalize()} model from the `{name}` template.",
        "input": {"shape": input_shape, "dtype": dtype},
        "layers": items,
        "compile": {
            "loss": {"type": loss, "params": {}},
            "optimizer": {"type": "Adam", "params": {"learning_rate": float(learning_rate)}},
            "metrics": metrics,
        },
        "training": {
            "epochs": _positive(epochs, "epochs"),
            "batch_size": _positive(batch_size, "batch_size"),
        },
    }


# ------------------------------------------------------------------------- templates


def mlp(
    input_shape: tuple[int, ...] = (16,),
    n_classes: int = 3,
    hidden_units: tuple[int, ...] = (64, 32),
    activation: str = "relu",
    dropout: float = 0.0,
    batch_norm: bool = False,
    task: str = "classification",
    learning_rate: float = 0.001,
    epochs: int = 20,
    batch_size: int = 32,
) -> dict[str, Any]:
    """A multi-layer perceptron: fully connected hidden layers and an output layer.

    An input with more than one axis (an image) is flattened first.

    Example:

    >>> spec = mlp(input_shape=(8,), n_classes=2, hidden_units=(16,))
    >>> [item["type"] for item in spec["layers"]]
    ['Dense', 'Dense']

    Args:
        input_shape: Shape of one sample, without the batch axis. Defaults to `(16,)`.
        n_classes: Number of classes (or of outputs when `task="regression"`).
            Defaults to `3`.
        hidden_units: Width of each hidden layer. Defaults to `(64, 32)`.
        activation: Activation of the hidden layers. Defaults to `"relu"`.
        dropout: Dropout rate after each hidden layer (0 for none). Defaults to `0.0`.
        batch_norm: Whether to add batch normalization after each hidden layer.
            Defaults to `False`.
        task: `"classification"` (softmax output, cross-entropy) or `"regression"`
            (linear output, mean squared error). Defaults to `"classification"`.
        learning_rate: Learning rate of the Adam optimizer. Defaults to `0.001`.
        epochs: Number of training epochs. Defaults to `20`.
        batch_size: Training batch size. Defaults to `32`.
    """
    shape = _shape(input_shape)
    n_classes = _positive(n_classes, "n_classes")
    task = _choice(task, _CLASSIFICATION_TASKS, "task")
    dropout = _rate(dropout, "dropout")
    items: list[dict[str, Any]] = []
    if len(shape) > 1:
        items.append(_item("Flatten"))
    for units in _ints(hidden_units, "hidden_units", allow_empty=True):
        items.append(_item("Dense", units=units, activation=activation))
        if batch_norm:
            items.append(_item("BatchNormalization"))
        if dropout:
            items.append(_item("Dropout", rate=dropout))
    head, loss, metrics = _classifier_head(n_classes, task)
    items.append(head)
    return _spec("mlp", task, shape, items, loss, metrics, learning_rate, epochs, batch_size)


def lenet(
    input_shape: tuple[int, ...] = (64, 64, 1),
    n_classes: int = 3,
    filters: tuple[int, ...] = (6, 16),
    kernel_size: int = 5,
    pooling: str = "max",
    dense_units: tuple[int, ...] = (120, 84),
    activation: str = "relu",
    dropout: float = 0.25,
    learning_rate: float = 0.001,
    epochs: int = 10,
    batch_size: int = 32,
) -> dict[str, Any]:
    """A LeNet-style CNN (LeCun et al., 1998): convolution + pooling stages, then dense layers.

    The defaults fit the demo's galaxy images (64x64, one channel, 3 classes):
    two 5x5 convolutions with 6 and 16 filters, each followed by 2x2 pooling, then
    dense layers of 120 and 84 units.

    Example:

    >>> spec = lenet()
    >>> spec["input"]["shape"], spec["layers"][-1]["params"]["units"]
    ([64, 64, 1], 3)

    Args:
        input_shape: Shape of one image `(height, width, channels)`.
            Defaults to `(64, 64, 1)`.
        n_classes: Number of classes. Defaults to `3`.
        filters: Number of filters of each convolution stage. Defaults to `(6, 16)`.
        kernel_size: Size of the convolutions (no padding, as in LeNet).
            Defaults to `5`.
        pooling: `"max"`, `"average"` (as in the original LeNet) or `"sum"`
            (SumPooling2D) 2x2 pooling. Defaults to `"max"`.
        dense_units: Width of each hidden dense layer. Defaults to `(120, 84)`.
        activation: Activation of the hidden layers. Defaults to `"relu"`.
        dropout: Dropout rate before each dense layer (0 for none). Defaults to `0.25`.
        learning_rate: Learning rate of the Adam optimizer. Defaults to `0.001`.
        epochs: Number of training epochs. Defaults to `10`.
        batch_size: Training batch size. Defaults to `32`.
    """
    shape = _shape(input_shape, ndim=3)
    n_classes = _positive(n_classes, "n_classes")
    kernel_size = _positive(kernel_size, "kernel_size")
    pool_type = _POOLINGS[_choice(pooling, tuple(_POOLINGS), "pooling")]
    dropout = _rate(dropout, "dropout")
    items: list[dict[str, Any]] = []
    size = min(shape[0], shape[1])
    for n in _ints(filters, "filters"):
        size = (size - kernel_size + 1) // 2
        if size < 1:
            raise ValueError(
                f"lenet: the input is too small for {len(list(filters))} stages of "
                f"{kernel_size}x{kernel_size} convolutions and 2x2 pooling. "
                f"Received: input_shape={shape}"
            )
        items.append(_item("Conv2D", filters=n, kernel_size=kernel_size, activation=activation))
        items.append(_item(pool_type, pool_size=2))
    items.append(_item("Flatten"))
    for units in _ints(dense_units, "dense_units", allow_empty=True):
        if dropout:
            items.append(_item("Dropout", rate=dropout))
        items.append(_item("Dense", units=units, activation=activation))
    if dropout:
        items.append(_item("Dropout", rate=dropout))
    head, loss, metrics = _classifier_head(n_classes, "classification")
    items.append(head)
    return _spec(
        "lenet", "classification", shape, items, loss, metrics, learning_rate, epochs, batch_size
    )


def vgg(
    input_shape: tuple[int, ...] = (64, 64, 1),
    n_classes: int = 3,
    block_filters: tuple[int, ...] = (16, 32, 64),
    convs_per_block: int = 2,
    dense_units: int = 64,
    batch_norm: bool = False,
    dropout: float = 0.5,
    learning_rate: float = 0.001,
    epochs: int = 10,
    batch_size: int = 32,
) -> dict[str, Any]:
    """A small VGG-style CNN (Simonyan & Zisserman, 2014): blocks of 3x3 convolutions + pooling.

    Each block has `convs_per_block` 3x3 "same" convolutions with ReLU and ends with
    2x2 max pooling; the filters usually double from block to block. A dense layer
    and the softmax output follow.

    Example:

    >>> spec = vgg(block_filters=(8, 16))
    >>> sum(item["type"] == "Conv2D" for item in spec["layers"])
    4

    Args:
        input_shape: Shape of one image `(height, width, channels)`; height and width
            must be divisible by `2**len(block_filters)`. Defaults to `(64, 64, 1)`.
        n_classes: Number of classes. Defaults to `3`.
        block_filters: Number of filters of the convolutions of each block.
            Defaults to `(16, 32, 64)`.
        convs_per_block: Number of convolutions per block. Defaults to `2`.
        dense_units: Width of the hidden dense layer (0 for none). Defaults to `64`.
        batch_norm: Whether to add batch normalization after each convolution.
            Defaults to `False`.
        dropout: Dropout rate before the dense layers (0 for none). Defaults to `0.5`.
        learning_rate: Learning rate of the Adam optimizer. Defaults to `0.001`.
        epochs: Number of training epochs. Defaults to `10`.
        batch_size: Training batch size. Defaults to `32`.
    """
    shape = _shape(input_shape, ndim=3)
    n_classes = _positive(n_classes, "n_classes")
    blocks = _ints(block_filters, "block_filters")
    convs_per_block = _positive(convs_per_block, "convs_per_block")
    dense_units = _positive(dense_units, "dense_units", minimum=0)
    dropout = _rate(dropout, "dropout")
    _check_divisible(shape, 2 ** len(blocks), f"vgg with {len(blocks)} blocks")
    items: list[dict[str, Any]] = []
    for n in blocks:
        for _ in range(convs_per_block):
            if batch_norm:
                items.append(_item("Conv2D", filters=n, kernel_size=3, padding="same"))
                items.append(_item("BatchNormalization"))
                items.append(_item("Activation", activation="relu"))
            else:
                items.append(
                    _item("Conv2D", filters=n, kernel_size=3, padding="same", activation="relu")
                )
        items.append(_item("MaxPooling2D", pool_size=2))
    items.append(_item("Flatten"))
    if dense_units:
        if dropout:
            items.append(_item("Dropout", rate=dropout))
        items.append(_item("Dense", units=dense_units, activation="relu"))
    if dropout:
        items.append(_item("Dropout", rate=dropout))
    head, loss, metrics = _classifier_head(n_classes, "classification")
    items.append(head)
    return _spec(
        "vgg", "classification", shape, items, loss, metrics, learning_rate, epochs, batch_size
    )


def resnet(
    input_shape: tuple[int, ...] = (64, 64, 1),
    n_classes: int = 3,
    stem_filters: int = 16,
    stage_filters: tuple[int, ...] = (16, 32, 64),
    blocks_per_stage: int = 1,
    use_batch_norm: bool = True,
    learning_rate: float = 0.001,
    epochs: int = 10,
    batch_size: int = 32,
) -> dict[str, Any]:
    """A small ResNet (He et al., 2016) made of `ResidualBlock` items.

    A stride-2 3x3 convolution (the stem) halves the image; then each stage has
    `blocks_per_stage` residual blocks, the first block of every stage but the first
    halving the image again (with a projection shortcut). Global average pooling and
    the softmax output follow.

    Example:

    >>> spec = resnet(stage_filters=(8, 16), blocks_per_stage=2)
    >>> sum(item["type"] == "ResidualBlock" for item in spec["layers"])
    4

    Args:
        input_shape: Shape of one image `(height, width, channels)`.
            Defaults to `(64, 64, 1)`.
        n_classes: Number of classes. Defaults to `3`.
        stem_filters: Number of filters of the stem convolution. Defaults to `16`.
        stage_filters: Number of filters of the residual blocks of each stage.
            Defaults to `(16, 32, 64)`.
        blocks_per_stage: Number of residual blocks per stage. Defaults to `1`.
        use_batch_norm: Whether the stem and the blocks use batch normalization.
            Defaults to `True`.
        learning_rate: Learning rate of the Adam optimizer. Defaults to `0.001`.
        epochs: Number of training epochs. Defaults to `10`.
        batch_size: Training batch size. Defaults to `32`.
    """
    shape = _shape(input_shape, ndim=3)
    n_classes = _positive(n_classes, "n_classes")
    stem_filters = _positive(stem_filters, "stem_filters")
    stages = _ints(stage_filters, "stage_filters")
    blocks_per_stage = _positive(blocks_per_stage, "blocks_per_stage")
    use_batch_norm = bool(use_batch_norm)
    items: list[dict[str, Any]] = [
        _item(
            "Conv2D",
            filters=stem_filters,
            kernel_size=3,
            strides=2,
            padding="same",
            use_bias=not use_batch_norm,
        )
    ]
    if use_batch_norm:
        items.append(_item("BatchNormalization"))
    items.append(_item("Activation", activation="relu"))
    for stage, n in enumerate(stages):
        for block in range(blocks_per_stage):
            strides = 2 if stage > 0 and block == 0 else 1
            items.append(
                _item(
                    "ResidualBlock",
                    filters=n,
                    kernel_size=3,
                    strides=strides,
                    use_batch_norm=use_batch_norm,
                )
            )
    items.append(_item("GlobalAveragePooling2D"))
    head, loss, metrics = _classifier_head(n_classes, "classification")
    items.append(head)
    return _spec(
        "resnet", "classification", shape, items, loss, metrics, learning_rate, epochs, batch_size
    )


def conv_autoencoder(
    input_shape: tuple[int, ...] = (64, 64, 1),
    filters: tuple[int, ...] = (16, 8),
    upsampling: str = "upsample",
    activation: str = "relu",
    output_activation: str = "sigmoid",
    learning_rate: float = 0.001,
    epochs: int = 10,
    batch_size: int = 32,
) -> dict[str, Any]:
    """A convolutional autoencoder that learns to reconstruct its input images.

    The encoder has one 3x3 convolution and one 2x2 max pooling per entry of
    `filters`; the decoder mirrors it, doubling the size with `UpSampling2D` and a
    convolution (or a stride-2 `Conv2DTranspose`), and a last 3x3 convolution gives
    back the input's channels. Trained with the mean squared error between output
    and input (task `"reconstruction"`: the targets are the inputs). The bottleneck
    has shape `(height / 2**len(filters), width / 2**len(filters), filters[-1])`.

    Example:

    >>> spec = conv_autoencoder(input_shape=(32, 32, 3))
    >>> spec["compile"]["loss"]["type"], spec["layers"][-1]["params"]["filters"]
    ('mean_squared_error', 3)

    Args:
        input_shape: Shape of one image `(height, width, channels)`; height and width
            must be divisible by `2**len(filters)`. Defaults to `(64, 64, 1)`.
        filters: Number of filters of each encoder stage (the decoder uses them in
            reverse). Defaults to `(16, 8)`.
        upsampling: `"upsample"` (UpSampling2D then Conv2D) or `"transpose"`
            (Conv2DTranspose with stride 2). Defaults to `"upsample"`.
        activation: Activation of the hidden convolutions. Defaults to `"relu"`.
        output_activation: Activation of the output: `"sigmoid"` for images scaled to
            [0, 1], `"linear"` otherwise. Defaults to `"sigmoid"`.
        learning_rate: Learning rate of the Adam optimizer. Defaults to `0.001`.
        epochs: Number of training epochs. Defaults to `10`.
        batch_size: Training batch size. Defaults to `32`.
    """
    shape = _shape(input_shape, ndim=3)
    stages = _ints(filters, "filters")
    upsampling = _choice(upsampling, _UPSAMPLINGS, "upsampling")
    _check_divisible(shape, 2 ** len(stages), f"conv_autoencoder with {len(stages)} stages")
    items: list[dict[str, Any]] = []
    for n in stages:
        items.append(
            _item("Conv2D", filters=n, kernel_size=3, padding="same", activation=activation)
        )
        items.append(_item("MaxPooling2D", pool_size=2))
    for n in reversed(stages):
        if upsampling == "upsample":
            items.append(_item("UpSampling2D", size=2))
            items.append(
                _item("Conv2D", filters=n, kernel_size=3, padding="same", activation=activation)
            )
        else:
            items.append(
                _item(
                    "Conv2DTranspose",
                    filters=n,
                    kernel_size=3,
                    strides=2,
                    padding="same",
                    activation=activation,
                )
            )
    items.append(
        _item(
            "Conv2D",
            filters=shape[-1],
            kernel_size=3,
            padding="same",
            activation=output_activation,
        )
    )
    return _spec(
        "conv_autoencoder",
        "reconstruction",
        shape,
        items,
        "mean_squared_error",
        ["mae"],
        learning_rate,
        epochs,
        batch_size,
    )


def unet(
    input_shape: tuple[int, ...] = (64, 64, 1),
    n_classes: int = 2,
    depth: int = 2,
    base_filters: int = 8,
    upsampling: str = "transpose",
    use_batch_norm: bool = False,
    dropout: float = 0.0,
    learning_rate: float = 0.001,
    epochs: int = 10,
    batch_size: int = 16,
) -> dict[str, Any]:
    """A U-Net (Ronneberger et al., 2015) for image segmentation, as one `UNet` item.

    With `n_classes=2` (a binary mask, e.g. source/background) the output is one
    sigmoid channel trained with binary cross-entropy on masks of 0 and 1 of shape
    `(height, width, 1)`; with more classes it is a softmax over `n_classes` channels
    trained with sparse categorical cross-entropy on integer masks.

    Example:

    >>> spec = unet(n_classes=4)
    >>> spec["layers"][0]["params"]["out_channels"], spec["compile"]["loss"]["type"]
    (4, 'sparse_categorical_crossentropy')

    Args:
        input_shape: Shape of one image `(height, width, channels)`; height and width
            must be divisible by `2**depth`. Defaults to `(64, 64, 1)`.
        n_classes: Number of pixel classes, at least 2. Defaults to `2`.
        depth: Number of pooling/upsampling steps. Defaults to `2`.
        base_filters: Number of filters of the first level, doubled at each level.
            Defaults to `8`.
        upsampling: `"transpose"` (Conv2DTranspose) or `"upsample"` (UpSampling2D then
            a 2x2 convolution). Defaults to `"transpose"`.
        use_batch_norm: Whether to add batch normalization after each convolution.
            Defaults to `False`.
        dropout: Dropout rate in the bottleneck. Defaults to `0.0`.
        learning_rate: Learning rate of the Adam optimizer. Defaults to `0.001`.
        epochs: Number of training epochs. Defaults to `10`.
        batch_size: Training batch size. Defaults to `16`.
    """
    shape = _shape(input_shape, ndim=3)
    n_classes = _positive(n_classes, "n_classes", minimum=2)
    depth = _positive(depth, "depth")
    _check_divisible(shape, 2**depth, f"unet with depth={depth}")
    if n_classes == 2:
        out_channels, out_activation, loss = 1, "sigmoid", "binary_crossentropy"
    else:
        out_channels, out_activation, loss = n_classes, "softmax", "sparse_categorical_crossentropy"
    items = [
        _item(
            "UNet",
            depth=depth,
            base_filters=_positive(base_filters, "base_filters"),
            out_channels=out_channels,
            out_activation=out_activation,
            upsampling=_choice(upsampling, _UPSAMPLINGS, "upsampling"),
            use_batch_norm=bool(use_batch_norm),
            dropout=_rate(dropout, "dropout"),
        )
    ]
    return _spec(
        "unet",
        "segmentation",
        shape,
        items,
        loss,
        ["accuracy"],
        learning_rate,
        epochs,
        batch_size,
    )


def lstm_classifier(
    input_shape: tuple[int, ...] = (32, 8),
    n_classes: int = 3,
    units: int = 32,
    cell: str = "LSTM",
    num_layers: int = 1,
    vocab_size: int = 0,
    embedding_dim: int = 16,
    dropout: float = 0.0,
    learning_rate: float = 0.001,
    epochs: int = 10,
    batch_size: int = 32,
) -> dict[str, Any]:
    """A recurrent classifier of sequences (time series, spectra, or token ids).

    With `vocab_size=0` the input is a float sequence of shape `(steps, features)`
    read by the recurrent layers directly. With `vocab_size > 0` the input is a
    sequence of integer tokens of shape `(steps,)` (only `input_shape[0]` is used),
    embedded by an `Embedding` layer whose id 0 is padding (masked). The last
    recurrent layer's final state feeds the softmax output.

    Example:

    >>> spec = lstm_classifier(vocab_size=1000)
    >>> spec["input"], spec["layers"][0]["type"]
    ({'shape': [32], 'dtype': 'int32'}, 'Embedding')

    Args:
        input_shape: `(steps, features)` of one sequence; `(steps,)` suffices when
            `vocab_size > 0`. Defaults to `(32, 8)`.
        n_classes: Number of classes. Defaults to `3`.
        units: Number of units of each recurrent layer. Defaults to `32`.
        cell: `"LSTM"`, `"GRU"` or `"SimpleRNN"`. Defaults to `"LSTM"`.
        num_layers: Number of stacked recurrent layers. Defaults to `1`.
        vocab_size: Number of distinct token ids (0 for float input).
            Defaults to `0`.
        embedding_dim: Size of the token embeddings; unused when `vocab_size=0`.
            Defaults to `16`.
        dropout: Dropout rate on the inputs of each recurrent layer. Defaults to `0.0`.
        learning_rate: Learning rate of the Adam optimizer. Defaults to `0.001`.
        epochs: Number of training epochs. Defaults to `10`.
        batch_size: Training batch size. Defaults to `32`.
    """
    n_classes = _positive(n_classes, "n_classes")
    units = _positive(units, "units")
    cell = _choice(cell, _RNN_CELLS, "cell")
    num_layers = _positive(num_layers, "num_layers")
    vocab_size = _positive(vocab_size, "vocab_size", minimum=0)
    dropout = _rate(dropout, "dropout")
    items: list[dict[str, Any]] = []
    if vocab_size:
        shape = _shape(list(input_shape)[:1])
        dtype = "int32"
        items.append(
            _item(
                "Embedding",
                input_dim=vocab_size,
                output_dim=_positive(embedding_dim, "embedding_dim"),
                mask_zero=True,
            )
        )
    else:
        shape = _shape(input_shape, ndim=2)
        dtype = "float32"
    for i in range(num_layers):
        items.append(_item(cell, units=units, dropout=dropout, return_sequences=i < num_layers - 1))
    head, loss, metrics = _classifier_head(n_classes, "classification")
    items.append(head)
    return _spec(
        "lstm_classifier",
        "classification",
        shape,
        items,
        loss,
        metrics,
        learning_rate,
        epochs,
        batch_size,
        dtype=dtype,
    )


def transformer_classifier(
    input_shape: tuple[int, ...] = (32, 8),
    n_classes: int = 3,
    d_model: int = 32,
    num_heads: int = 2,
    key_dim: int = 16,
    ff_dim: int = 64,
    num_blocks: int = 1,
    dropout: float = 0.1,
    positional: str = "sinusoidal",
    learning_rate: float = 0.001,
    epochs: int = 10,
    batch_size: int = 32,
) -> dict[str, Any]:
    """A Transformer-encoder classifier of sequences of shape `(steps, features)`.

    A dense layer projects each step to `d_model` values, a `PositionalEncoding`
    adds the position, `num_blocks` `TransformerEncoder` blocks mix the steps by
    self-attention, and the average over the steps feeds the softmax output.

    Example:

    >>> spec = transformer_classifier(num_blocks=2)
    >>> [item["type"] for item in spec["layers"]][:3]
    ['Dense', 'PositionalEncoding', 'TransformerEncoder']

    Args:
        input_shape: `(steps, features)` of one sequence. Defaults to `(32, 8)`.
        n_classes: Number of classes. Defaults to `3`.
        d_model: Size of the vectors the blocks work on. Defaults to `32`.
        num_heads: Number of attention heads of each block. Defaults to `2`.
        key_dim: Size of each head's projections. Defaults to `16`.
        ff_dim: Hidden width of each block's feed-forward network. Defaults to `64`.
        num_blocks: Number of Transformer encoder blocks. Defaults to `1`.
        dropout: Dropout rate inside the blocks. Defaults to `0.1`.
        positional: `"sinusoidal"` (fixed) or `"learned"` positional encoding.
            Defaults to `"sinusoidal"`.
        learning_rate: Learning rate of the Adam optimizer. Defaults to `0.001`.
        epochs: Number of training epochs. Defaults to `10`.
        batch_size: Training batch size. Defaults to `32`.
    """
    shape = _shape(input_shape, ndim=2)
    n_classes = _positive(n_classes, "n_classes")
    dropout = _rate(dropout, "dropout")
    items: list[dict[str, Any]] = [
        _item("Dense", units=_positive(d_model, "d_model")),
        _item(
            "PositionalEncoding",
            max_length=shape[0],
            kind=_choice(positional, _POSITIONAL_KINDS, "positional"),
        ),
    ]
    for _ in range(_positive(num_blocks, "num_blocks")):
        items.append(
            _item(
                "TransformerEncoder",
                num_heads=_positive(num_heads, "num_heads"),
                key_dim=_positive(key_dim, "key_dim"),
                ff_dim=_positive(ff_dim, "ff_dim"),
                dropout=dropout,
            )
        )
    items.append(_item("GlobalAveragePooling1D"))
    head, loss, metrics = _classifier_head(n_classes, "classification")
    items.append(head)
    return _spec(
        "transformer_classifier",
        "classification",
        shape,
        items,
        loss,
        metrics,
        learning_rate,
        epochs,
        batch_size,
    )


# ---------------------------------------------------------------------- registration

BUILTIN_ARCHITECTURES: list[tuple[Callable[..., dict[str, Any]], str, str]] = [
    (mlp, "dense", "Multi-layer perceptron: dense hidden layers and an output layer."),
    (lenet, "cnn", "LeNet-style CNN: two convolution + pooling stages, then dense layers."),
    (vgg, "cnn", "Small VGG-style CNN: blocks of two 3x3 convolutions and max pooling."),
    (resnet, "cnn", "Small ResNet: a stem convolution and stages of residual blocks."),
    (
        conv_autoencoder,
        "autoencoder",
        "Convolutional autoencoder that reconstructs its input images (MSE).",
    ),
    (unet, "segmentation", "U-Net for image segmentation (one UNet item)."),
    (lstm_classifier, "recurrent", "LSTM/GRU classifier of sequences or token ids."),
    (
        transformer_classifier,
        "attention",
        "Transformer-encoder classifier: projection, positions, self-attention blocks.",
    ),
]


def register_builtin_architectures(register: Callable[..., Any]) -> None:
    """Registers the built-in architecture templates with a `register_architectures` callback.

    Args:
        register: The callback of the `register_architectures` hook, called as
            `register(fn, name=..., category=..., summary=...)`.
    """
    for fn, category, summary in BUILTIN_ARCHITECTURES:
        register(fn, name=fn.__name__, category=category, summary=summary)
