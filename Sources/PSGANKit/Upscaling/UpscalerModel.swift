import Foundation

/// A pretrained super-resolution network loaded from a safetensors file by its PyTorch key names.
///
/// Two families are recognised from the keys (and the `__metadata__` `format`, when present):
///
/// - SRGAN's generator (`block1.0.weight`, ...): conv(k1)+PReLU, any number of residual blocks
///   `blockN.{conv1,bn1,prelu,conv2,bn2}`, a conv+PReLU (or conv+BN) block, a skip add, any number
///   of `conv -> pixel_shuffle(r) -> PReLU` stages and a final conv, then `(tanh + 1) / 2`.
/// - SRVGGNetCompact (`body.0.weight`, ...): conv3x3+PReLU repeated, a conv to `3*s*s` channels,
///   `pixel_shuffle(s)` plus the nearest-upsampled input.
///
/// BatchNorm (eval mode, eps 1e-5) is folded into the convolution before it at load time. Every
/// tensor's presence, dtype, shape and values are checked; a problem is a ``PSGANError`` naming
/// the file and the tensor.
public struct UpscalerModel {
    /// The file it was read from (as given).
    public let path: String
    /// Which network family the keys describe.
    public let architecture: UpscalerArchitecture
    /// Output pixels per input pixel along each axis.
    public let scale: Int
    /// Input pixels of context each side that an output pixel depends on: the sum over the
    /// convolutions of their radius (k-1)/2, divided by the upscaling already applied at that
    /// layer and rounded up. Tiles overlapping by this much give the untiled result.
    public let margin: Int
    /// Number of convolutions.
    public let convolutionCount: Int
    /// Number of parameters after BatchNorm folding.
    public let parameterCount: Int
    /// The forward pass, in order.
    let layers: [UpscalerLayer]

    /// BatchNorm's epsilon in both architectures (PyTorch's default).
    public static let batchNormEpsilon = 1e-5

    /// Reads, validates and prepares the network in the safetensors file at `url`.
    public init(contentsOf url: URL) throws {
        try self.init(file: try SafeTensorsFile(contentsOf: url))
    }

    /// Prepares the network held by an already-opened safetensors file.
    public init(file: SafeTensorsFile) throws {
        path = file.path
        let reader = Reader(file: file)
        let format = file.metadata["format"]?.lowercased()
        let built: Built
        if file.tensors["block1.0.weight"] != nil || format?.hasPrefix("srgan") == true {
            architecture = .srgan
            built = try reader.srgan()
        } else if file.tensors["body.0.weight"] != nil || format?.hasPrefix("srvgg") == true {
            architecture = .srvggCompact
            built = try reader.srvgg(activation: file.metadata["act"]?.lowercased())
        } else {
            throw PSGANError(.model, file: path, "not a known upscaler: expected SRGAN keys (block1.0.weight, ...) "
                + "or SRVGGNetCompact keys (body.0.weight, ...)")
        }
        if let declared = file.metadata["scale"], let value = Int(declared), value != built.scale {
            throw PSGANError(.model, file: path, "metadata says scale \(value) but the tensors make a x\(built.scale) network")
        }
        layers = built.layers
        scale = built.scale
        var radius = 0.0, factor = 1, convs = 0, parameters = 0
        for layer in built.layers {
            switch layer {
            case .conv(let conv):
                radius += (Double(conv.kernel / 2) / Double(factor)).rounded(.up)
                convs += 1
                parameters += conv.weight.count + conv.bias.count
            case .prelu(let slopes): parameters += slopes.count
            case .pixelShuffle(let r): factor *= r
            default: break
            }
        }
        margin = Int(radius)
        convolutionCount = convs
        parameterCount = parameters
    }

    /// What a reader assembles: the layers and the overall scale.
    private struct Built {
        var layers: [UpscalerLayer] = []
        var scale = 1
    }

    /// Reads tensors by name with shape checks, in the file's terms.
    private struct Reader {
        let file: SafeTensorsFile
        var path: String { file.path }

        func has(_ name: String) -> Bool { file.tensors[name] != nil }

        func fail(_ problem: String) -> PSGANError { PSGANError(.model, file: path, problem) }

        /// The tensor `name`, which must have exactly `shape`.
        func tensor(_ name: String, _ shape: [Int]) throws -> [Float] {
            guard let info = file.tensors[name] else { throw fail("tensor '\(name)' is missing") }
            guard info.shape == shape else {
                throw fail("tensor '\(name)' has shape \(info.shape); expected \(shape)")
            }
            return try file.floats(name)
        }

        /// The shape of a conv weight `[out, in, k, k]` with odd k, checking `in` when given.
        func convShape(_ name: String, input: Int? = nil) throws -> (output: Int, input: Int, kernel: Int) {
            guard let info = file.tensors[name] else { throw fail("tensor '\(name)' is missing") }
            let s = info.shape
            guard s.count == 4, s[0] > 0, s[1] > 0, s[2] == s[3], s[2] % 2 == 1 else {
                throw fail("tensor '\(name)' has shape \(s); expected a convolution weight [out, in, k, k] with odd k")
            }
            if let input, s[1] != input {
                throw fail("tensor '\(name)' has shape \(s); expected \(input) input channels")
            }
            return (s[0], s[1], s[2])
        }

        /// The conv `prefix.weight` / `prefix.bias`, optionally followed by BatchNorm `bn` (folded).
        func conv(_ prefix: String, input: Int, output: Int? = nil, batchNorm bn: String? = nil) throws -> Conv2D {
            let shape = try convShape("\(prefix).weight", input: input)
            if let output, shape.output != output {
                throw fail("tensor '\(prefix).weight' has shape [\(shape.output), \(shape.input), \(shape.kernel), \(shape.kernel)]; expected \(output) output channels")
            }
            var weight = try tensor("\(prefix).weight", [shape.output, input, shape.kernel, shape.kernel])
            var bias = try tensor("\(prefix).bias", [shape.output])
            if let bn {
                let gamma = try tensor("\(bn).weight", [shape.output])
                let beta = try tensor("\(bn).bias", [shape.output])
                let mean = try tensor("\(bn).running_mean", [shape.output])
                let variance = try tensor("\(bn).running_var", [shape.output])
                let perOutput = input * shape.kernel * shape.kernel
                for o in 0..<shape.output {
                    guard variance[o] >= 0 else {
                        throw fail("tensor '\(bn).running_var' holds a negative variance (\(variance[o])) at element \(o)")
                    }
                    let factor = Double(gamma[o]) / (Double(variance[o]) + UpscalerModel.batchNormEpsilon).squareRoot()
                    for i in o * perOutput ..< (o + 1) * perOutput {
                        weight[i] = Float(Double(weight[i]) * factor)
                    }
                    bias[o] = Float((Double(bias[o]) - Double(mean[o])) * factor + Double(beta[o]))
                }
            }
            return Conv2D(weight: weight, bias: bias, outputChannels: shape.output, inputChannels: input, kernel: shape.kernel)
        }

        /// PReLU slopes `name`: shape [1] (shared) or [channels].
        func prelu(_ name: String, channels: Int) throws -> UpscalerLayer {
            guard let info = file.tensors[name] else { throw fail("tensor '\(name)' is missing") }
            guard info.shape == [1] || info.shape == [channels] else {
                throw fail("tensor '\(name)' has shape \(info.shape); expected [1] or [\(channels)] (PReLU slopes)")
            }
            return .prelu(try file.floats(name))
        }

        /// The pixel-shuffle factor r with `channels == features * r * r`.
        func shuffleFactor(_ name: String, channels: Int, features: Int) throws -> Int {
            let r = Int(Double(channels / max(features, 1)).squareRoot().rounded())
            guard r >= 1, r * r * features == channels else {
                throw fail("tensor '\(name)' has \(channels) output channels; a pixel shuffle to \(features) channels needs \(features) x r^2")
            }
            return r
        }

        func srgan() throws -> Built {
            var built = Built()
            let first = try convShape("block1.0.weight", input: 3)
            let features = first.output
            built.layers.append(.conv(try conv("block1.0", input: 3)))
            built.layers.append(try prelu("block1.1.weight", channels: features))
            built.layers.append(.pushSkip)
            var block = 2
            while has("block\(block).conv1.weight") {
                let p = "block\(block)"
                built.layers.append(.pushSkip)
                built.layers.append(.conv(try conv("\(p).conv1", input: features, output: features, batchNorm: "\(p).bn1")))
                built.layers.append(try prelu("\(p).prelu.weight", channels: features))
                built.layers.append(.conv(try conv("\(p).conv2", input: features, output: features, batchNorm: "\(p).bn2")))
                built.layers.append(.addSkip)
                block += 1
            }
            // The block after the residual ones: conv + PReLU (the original model) or conv + BN.
            let tail = "block\(block)"
            guard has("\(tail).0.weight") else {
                throw fail("tensor '\(tail).0.weight' is missing (the conv after the \(block - 2) residual blocks)")
            }
            if has("\(tail).1.running_mean") {
                built.layers.append(.conv(try conv("\(tail).0", input: features, output: features, batchNorm: "\(tail).1")))
            } else {
                built.layers.append(.conv(try conv("\(tail).0", input: features, output: features)))
                built.layers.append(try prelu("\(tail).1.weight", channels: features))
            }
            built.layers.append(.addSkip)
            let up = "block\(block + 1)"
            var stage = 0
            while has("\(up).\(stage).conv.weight") {
                let p = "\(up).\(stage)"
                let shape = try convShape("\(p).conv.weight", input: features)
                let r = try shuffleFactor("\(p).conv.weight", channels: shape.output, features: features)
                built.layers.append(.conv(try conv("\(p).conv", input: features)))
                built.layers.append(.pixelShuffle(r))
                built.layers.append(try prelu("\(p).prelu.weight", channels: features))
                built.scale *= r
                stage += 1
            }
            guard has("\(up).\(stage).weight") else {
                throw fail("tensor '\(up).\(stage).weight' is missing (the final conv after \(stage) upsampling stages)")
            }
            built.layers.append(.conv(try conv("\(up).\(stage)", input: features, output: 3)))
            built.layers.append(.tanhToUnit)
            return built
        }

        func srvgg(activation: String?) throws -> Built {
            var built = Built()
            var channels = 3
            var index = 0
            var convs: [(Int, Conv2D)] = []
            while has("body.\(index).weight") {
                let conv = try conv("body.\(index)", input: channels)
                convs.append((index, conv))
                channels = conv.outputChannels
                index += 2
            }
            guard let (lastIndex, last) = convs.last, convs.count >= 2 else {
                throw fail("tensor 'body.\(index).weight' is missing (SRVGGNetCompact needs at least two convs)")
            }
            for (i, conv) in convs.dropLast() {
                built.layers.append(.conv(conv))
                switch activation ?? "prelu" {
                case "prelu": built.layers.append(try prelu("body.\(i + 1).weight", channels: conv.outputChannels))
                case "relu": built.layers.append(.prelu([0]))
                case "leakyrelu": built.layers.append(.prelu([0.1]))
                default: throw fail("metadata act '\(activation ?? "")' is not prelu, relu or leakyrelu")
                }
            }
            let scale = try shuffleFactor("body.\(lastIndex).weight", channels: last.outputChannels, features: 3)
            built.layers.append(.conv(last))
            built.layers.append(.pixelShuffle(scale))
            built.layers.append(.addUpsampledInput(scale))
            built.scale = scale
            return built
        }
    }
}
