/// One step of an upscaler's forward pass, as ``Upscaler`` runs it on the current feature map.
///
/// Both architectures reduce to this short list: convolutions (BatchNorm already folded in), PReLU,
/// skip connections kept on a stack, pixel shuffle, and the two output heads.
enum UpscalerLayer {
    /// `x = conv(x)` (bias included), zero padding k/2.
    case conv(Conv2D)
    /// `x = x >= 0 ? x : slope * x`, one slope shared by all channels or one per channel.
    case prelu([Float])
    /// Pushes a copy of `x` onto the skip stack.
    case pushSkip
    /// `x = x + pop()`.
    case addSkip
    /// PyTorch's `pixel_shuffle(x, r)`: `out[c, h*r+i, w*r+j] = in[c*r*r + i*r + j, h, w]`.
    case pixelShuffle(Int)
    /// `x = (tanh(x) + 1) / 2` (SRGAN's output).
    case tanhToUnit
    /// `x = x + nearest_upsample(input, s)` (SRVGGNetCompact's output).
    case addUpsampledInput(Int)
}
