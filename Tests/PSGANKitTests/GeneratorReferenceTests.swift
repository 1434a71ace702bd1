import Testing
@testable import PSGANKit

/// The generator's fast path (Winograd blocks reading the upsampled previous output, the pose
/// channels added from the keypoints' positions, activations fused per band) against the contract's
/// forward pass written out plainly in double: concatenated maps, direct convolution.
@Suite struct GeneratorReferenceTests {
    /// A 64x64 model (two Winograd blocks, at 32 and 64) with nonzero biases.
    static func model() throws -> PSGANModel {
        let config = GeneratorConfig(resolution: 64, latentDim: 8, keypoints: 5, layout: "custom",
                                     channels: [4: 12, 8: 10, 16: 9, 32: 7, 64: 6])
        let random = try PSGANModel.random(config: config, seed: 21)
        var weights = random.weights
        for (name, values) in weights where name.hasSuffix(".bias") {
            weights[name] = ConvolutionTests.values(values.count, seed: UInt64(values.count)).map { $0 * 0.3 }
        }
        return try PSGANModel(config: config, weights: weights)
    }

    /// The contract's forward pass in double.
    static func reference(_ model: PSGANModel, latent: [Float], conditions: ConditionMaps) -> [Float] {
        let config = model.config, w = model.weights, k = config.keypoints
        func activate(_ x: inout [Double], channels: Int, pixels: Int, bias: [Float]) {
            for p in 0..<pixels {
                var sum = 0.0
                for c in 0..<channels {
                    let u = x[c * pixels + p] + Double(bias[c])
                    x[c * pixels + p] = max(u, 0.2 * u)
                    sum += x[c * pixels + p] * x[c * pixels + p]
                }
                let scale = 1 / (sum / Double(channels) + 1e-8).squareRoot()
                for c in 0..<channels { x[c * pixels + p] *= scale }
            }
        }
        func conv(_ input: [Double], _ name: String, cin: Int, cout: Int, size s: Int) -> [Double] {
            let weight = w[name + ".weight"]!
            var out = [Double](repeating: 0, count: cout * s * s)
            for o in 0..<cout {
                for i in 0..<cin {
                    for ky in 0..<3 {
                        for kx in 0..<3 {
                            let g = Double(weight[((o * cin + i) * 3 + ky) * 3 + kx])
                            for y in 0..<s {
                                let sy = y + ky - 1
                                guard sy >= 0 && sy < s else { continue }
                                for x in 0..<s {
                                    let sx = x + kx - 1
                                    guard sx >= 0 && sx < s else { continue }
                                    out[(o * s + y) * s + x] += g * input[(i * s + sy) * s + sx]
                                }
                            }
                        }
                    }
                }
            }
            return out
        }
        let l = Double(config.latentDim)
        let norm = 1 / ((latent.reduce(0.0) { $0 + Double($1) * Double($1) }) / l + 1e-8).squareRoot()
        let c4 = config.channels[4]!
        let dense = w["dense.weight"]!
        var x = (0 ..< c4 * 16).map { row in
            (0 ..< config.latentDim).reduce(0.0) { $0 + Double(dense[row * config.latentDim + $1]) * Double(latent[$1]) * norm }
        }
        activate(&x, channels: c4, pixels: 16, bias: w["dense.bias"]!)
        var channels = c4
        for s in config.scales {
            if s > 4 {
                var up = [Double](repeating: 0, count: channels * s * s)
                for c in 0..<channels {
                    for y in 0..<s { for xx in 0..<s { up[(c * s + y) * s + xx] = x[(c * (s / 2) + y / 2) * (s / 2) + xx / 2] } }
                }
                x = up
            }
            let cat = x + conditions.map(scale: s).map(Double.init)
            let c = config.channels[s]!
            x = conv(cat, GeneratorConfig.convName(scale: s, index: 0), cin: channels + k, cout: c, size: s)
            activate(&x, channels: c, pixels: s * s, bias: w[GeneratorConfig.convName(scale: s, index: 0) + ".bias"]!)
            if s > 4 {
                x = conv(x, GeneratorConfig.convName(scale: s, index: 1), cin: c, cout: c, size: s)
                activate(&x, channels: c, pixels: s * s, bias: w[GeneratorConfig.convName(scale: s, index: 1) + ".bias"]!)
            }
            channels = c
        }
        let r = config.resolution, torgb = w["torgb.weight"]!, bias = w["torgb.bias"]!
        return (0 ..< 3 * r * r).map { index in
            let o = index / (r * r), p = index % (r * r)
            return Float((0..<channels).reduce(Double(bias[o])) { $0 + Double(torgb[o * channels + $1]) * x[$1 * r * r + p] })
        }
    }

    @Test(arguments: [
        // Corners and edges of the canvas, where the zero padding drops taps of the -1 maps.
        [Keypoint(x: 0, y: 0, confidence: 1), Keypoint(x: 63.9, y: 63.9, confidence: 1), Keypoint(x: 0, y: 63, confidence: 1),
         Keypoint(x: 40.5, y: 0.2, confidence: 1), Keypoint(x: 63, y: 17, confidence: 1)],
        // Inside, one missing and one outside the canvas (all -1 maps), two on one pixel.
        [Keypoint(x: 20, y: 30, confidence: 1), Keypoint(x: 5, y: 5, confidence: 0), Keypoint(x: 70, y: 3, confidence: 1),
         Keypoint(x: 33.3, y: 12.7, confidence: 1), Keypoint(x: 33.9, y: 12.1, confidence: 1)],
    ])
    func fastForwardMatchesTheContractInDouble(keypoints: [Keypoint]) throws {
        let model = try Self.model()
        let latent = SeededNormals.latent(seed: 3, dimension: 8)
        let conditions = ConditionMaps(keypoints: keypoints, resolution: 64)
        let fast = Generator(model: model).forward(latent: latent, conditions: conditions)
        let truth = Self.reference(model, latent: latent, conditions: conditions)
        #expect(relativeL2(fast, truth) < Float32Bound.generator(model.config), "relative L2 error \(relativeL2(fast, truth))")
        // The pose maps matter: moving one keypoint changes the frame.
        var moved = keypoints
        moved[0] = Keypoint(x: 31, y: 31, confidence: 1)
        let other = Generator(model: model).forward(latent: latent, keypoints: moved)
        #expect(relativeL2(other, fast) > 1e-3)
    }

    @Test func poseTermEqualsConvolvingTheMaps() {
        // One layer's pose part alone: K maps of -1 with a +1 each, convolved directly in double.
        let k = 3, cout = 4, s = 9
        let weight = ConvolutionTests.values(cout * k * 9, seed: 8)
        let pixels: [(x: Int, y: Int)?] = [(0, 8), (4, 4), nil]
        var maps = [Float](repeating: -1, count: k * s * s)
        for (i, p) in pixels.enumerated() { if let p { maps[i * s * s + p.y * s + p.x] = 1 } }
        let truth = ConvolutionTests.direct(maps, weight, cin: k, cout: cout, k: 3, h: s, w: s)
        let term = PoseTerm(weight: weight, outputChannels: cout, inputChannels: k, firstPoseChannel: 0, keypoints: k)
        var out = [Float](repeating: 0, count: cout * s * s)
        out.withUnsafeMutableBufferPointer { o in
            // In two bands of rows, as the Winograd epilogue calls it.
            term.add(to: o.baseAddress!, height: s, width: s, rows: 0..<4, pixels: pixels)
            term.add(to: o.baseAddress!, height: s, width: s, rows: 4..<9, pixels: pixels)
        }
        for o in 0..<cout { for p in 0 ..< s * s { out[o * s * s + p] += term.interior[o] } }
        #expect(relativeL2(out, truth) < Float32Bound.direct(terms: k * 9))
    }
}
