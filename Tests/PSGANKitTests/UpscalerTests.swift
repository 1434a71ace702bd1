import Foundation
import Testing
@testable import PSGANKit

/// The upscalers against the independent golden outputs in `Tests/Fixtures/golden/sr`, plus tiling and
/// the network's building blocks.
@Suite struct UpscalerTests {
    static let golden = TestPaths.golden.appendingPathComponent("sr")
    static let models: [(name: String, file: String)] = [
        ("srgan-x2", "srgan-x2.safetensors"),
        ("srgan-x4", "srgan-x4.safetensors"),
        ("realesr-animevideov3-x4", "realesr-animevideov3-x4.safetensors"),
    ]

    static func model(_ name: String) throws -> UpscalerModel {
        let file = models.first { $0.name == name }!.file
        return try UpscalerModel(contentsOf: TestPaths.upscalers.appendingPathComponent(file))
    }

    @Test(arguments: ["srgan-x2", "srgan-x4", "realesr-animevideov3-x4"])
    func reproducesTheGoldenFloats(name: String) throws {
        let expected = try SafeTensorsFile(contentsOf: Self.golden.appendingPathComponent("expected.safetensors"))
        let input = try expected.floats("astronaut.input")
        #expect(expected.tensors["astronaut.input"]?.shape == [3, 40, 48])
        let model = try Self.model(name)
        let output = Upscaler(model: model).upscale(input, height: 40, width: 48)
        let want = try expected.floats("astronaut.\(name)")
        #expect(expected.tensors["astronaut.\(name)"]?.shape == [3, 40 * model.scale, 48 * model.scale])
        let error = relativeL2(output, want)
        print("golden \(name): relative L2 error \(error)")
        #expect(error < Float32Bound.upscaler(model), "\(name): relative L2 error \(error)")
    }

    @Test(arguments: ["srgan-x2", "srgan-x4", "realesr-animevideov3-x4"])
    func reproducesTheGoldenPNGsWithinOneLevel(name: String) throws {
        let input = try #require(try FrameReader(url: Self.golden.appendingPathComponent("astronaut.png")).next())
        #expect(input.width == 48 && input.height == 40)
        // The golden float input is the PNG's bytes / 255.
        let floats = try SafeTensorsFile(contentsOf: Self.golden.appendingPathComponent("expected.safetensors")).floats("astronaut.input")
        for p in 0 ..< 48 * 40 {
            for c in 0..<3 where abs(Float(input.pixels[3 * p + c]) / 255 - floats[c * 48 * 40 + p]) > 1e-6 {
                Issue.record("input pixel \(p) channel \(c) differs from astronaut.input")
            }
        }
        let output = Upscaler(model: try Self.model(name)).upscale(input)
        let reader = try FrameReader(url: Self.golden.appendingPathComponent("astronaut.\(name).png"))
        let want = try #require(try reader.next())
        #expect(try reader.next() == nil)
        #expect(output.width == want.width && output.height == want.height)
        let worst = zip(output.pixels, want.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 99
        #expect(worst <= 1, "\(name): largest difference \(worst) levels")
    }

    @Test func frameReaderAgreesWithTheFFmpegProgram() throws {
        let url = Self.golden.appendingPathComponent("astronaut.srgan-x4.png")
        let reader = try FrameReader(url: url)
        #expect(reader.width == 192 && reader.height == 160 && reader.frameCount == 1 && reader.frameRate == nil)
        let image = try #require(try reader.next())
        let decoded = try decodeRGBFrames(url, width: 192, height: 160)
        #expect(decoded.count == 1)
        #expect(decoded.first == image.pixels)
    }

    @Test(arguments: ["srgan-x2", "realesr-animevideov3-x4"])
    func tiledEqualsUntiled(name: String) throws {
        let model = try Self.model(name)
        let (w, h) = (70, 50)
        var state: UInt32 = 12345
        let input = (0 ..< 3 * w * h).map { i -> Float in
            state = state &* 1664525 &+ 1013904223
            let smooth = 0.5 + 0.3 * sin(Float(i % w) * 0.21) * cos(Float(i / w) * 0.17)
            return min(1, max(0, smooth + Float(state >> 8) / Float(1 << 24) * 0.2 - 0.1))
        }
        let whole = Upscaler(model: model, tileSize: 1000).upscale(input, height: h, width: w)
        let tiled = Upscaler(model: model, tileSize: 24).upscale(input, height: h, width: w)
        let error = relativeL2(tiled, whole)
        #expect(error < Float32Bound.upscaler(model), "\(name): tiled vs untiled relative L2 error \(error)")
        let worst = zip(tiled, whole).map { abs($0 - $1) }.max() ?? 1
        #expect(worst < 1e-4, "\(name): largest tiled difference \(worst)")
        // A margin one pixel short must show: the overlap is what makes tiles agree.
        #expect(model.margin == 18)
    }

    @Test func marginsFollowTheArchitecture() throws {
        // SRGAN x4: 9x9 (4) + 10 residual 3x3 (10) + block7 (1) + first upsample conv (1)
        // + second at x2 (ceil 1/2 = 1) + final 9x9 at x4 (ceil 4/4 = 1).
        let x4 = try Self.model("srgan-x4")
        #expect(x4.architecture == .srgan && x4.scale == 4 && x4.convolutionCount == 15 && x4.margin == 18)
        let anime = try Self.model("realesr-animevideov3-x4")
        #expect(anime.architecture == .srvggCompact && anime.scale == 4 && anime.convolutionCount == 18 && anime.margin == 18)
    }

    @Test func pixelShuffleMatchesPyTorch() {
        // in [C*r*r = 8, H = 2, W = 3], r = 2 -> out [2, 4, 6].
        let (c, r, h, w) = (2, 2, 2, 3)
        let input = (0 ..< c * r * r * h * w).map(Float.init)
        var output = [Float](repeating: -1, count: input.count)
        input.withUnsafeBufferPointer { i in
            output.withUnsafeMutableBufferPointer { o in
                Upscaler.pixelShuffle(i.baseAddress!, channels: c, height: h, width: w, factor: r, into: o.baseAddress!)
            }
        }
        for ch in 0..<c { for y in 0..<h { for x in 0..<w { for i in 0..<r { for j in 0..<r {
            let want = input[((ch * r * r + i * r + j) * h + y) * w + x]
            #expect(output[(ch * h * r + y * r + i) * w * r + x * r + j] == want)
        } } } } }
    }

    @Test func generalKernelMatchesDirectConvolution() {
        for k in [3, 5, 9] {
            let (ci, co, h, w) = (3, 4, 7, 11)
            let weight = (0 ..< co * ci * k * k).map { Float(($0 * 37) % 17) / 17 - 0.5 }
            let bias = (0 ..< co).map { Float($0) * 0.1 }
            let input = (0 ..< ci * h * w).map { Float(($0 * 13) % 11) / 11 }
            let conv = Conv2D(weight: weight, bias: bias, outputChannels: co, inputChannels: ci, kernel: k)
            var output = [Float](repeating: 0, count: co * h * w)
            var columns = [Float](repeating: 0, count: max(1, conv.columnCount(height: h, width: w)))
            input.withUnsafeBufferPointer { i in
                output.withUnsafeMutableBufferPointer { o in
                    columns.withUnsafeMutableBufferPointer { col in
                        conv.apply(input: i.baseAddress!, height: h, width: w, output: o.baseAddress!, columns: col.baseAddress!)
                    }
                }
            }
            var worst: Float = 0
            for o in 0..<co { for y in 0..<h { for x in 0..<w {
                var sum = bias[o]
                for c in 0..<ci { for ky in 0..<k { for kx in 0..<k {
                    let sy = y + ky - k / 2, sx = x + kx - k / 2
                    if sy >= 0 && sy < h && sx >= 0 && sx < w {
                        sum += weight[((o * ci + c) * k + ky) * k + kx] * input[(c * h + sy) * w + sx]
                    }
                } } }
                worst = max(worst, abs(sum - output[(o * h + y) * w + x]))
            } } }
            #expect(worst < 1e-4, "kernel \(k): largest difference \(worst)")
        }
    }

    /// A copy of a real upscaler's tensors with `edit` applied, written with SafeTensorsWriter.
    func editedCopy(_ name: String, in dir: URL, _ edit: (inout [String: (shape: [Int], values: [Float])]) -> Void) throws -> URL {
        let file = Self.models.firstIndexFor(name)
        let source = try SafeTensorsFile(contentsOf: TestPaths.upscalers.appendingPathComponent(file))
        var tensors: [String: (shape: [Int], values: [Float])] = [:]
        for (key, info) in source.tensors { tensors[key] = (info.shape, try source.floats(key)) }
        edit(&tensors)
        let url = dir.appendingPathComponent("\(name)-edited.safetensors")
        var writer = SafeTensorsWriter(metadata: source.metadata)
        for (key, tensor) in tensors { writer.add(key, shape: tensor.shape, values: tensor.values) }
        try writer.write(to: url, precision: .f32)
        return url
    }

    @Test func badWeightFilesGiveClearErrors() throws {
        let dir = try TestPaths.temporaryDirectory()
        func failure(_ url: URL) -> String {
            do {
                _ = try UpscalerModel(contentsOf: url)
                return "no error"
            } catch let error as PSGANError where error.kind == .model {
                return error.description
            } catch {
                return "unexpected \(error)"
            }
        }
        let missing = try editedCopy("srgan-x2", in: dir) { $0["block3.bn2.running_var"] = nil }
        let m = failure(missing)
        #expect(m.contains("srgan-x2-edited.safetensors") && m.contains("'block3.bn2.running_var' is missing"), "\(m)")
        let shape = try editedCopy("realesr-animevideov3-x4", in: dir) { $0["body.6.weight"] = ([64, 64, 3, 1], [Float](repeating: 0, count: 64 * 64 * 3)) }
        let s = failure(shape)
        #expect(s.contains("'body.6.weight' has shape [64, 64, 3, 1]"), "\(s)")
        let nan = try editedCopy("srgan-x4", in: dir) { $0["block1.1.weight"] = ([1], [.nan]) }
        let n = failure(nan)
        #expect(n.contains("'block1.1.weight'") && n.contains("non-finite"), "\(n)")
        let prelu = try editedCopy("srgan-x2", in: dir) { $0["block2.prelu.weight"] = ([7], [Float](repeating: 0.1, count: 7)) }
        #expect(failure(prelu).contains("'block2.prelu.weight' has shape [7]"))
        // Truncated: cut the real file short.
        let data = try Data(contentsOf: TestPaths.upscalers.appendingPathComponent(Self.models.firstIndexFor("srgan-x2")))
        let truncated = dir.appendingPathComponent("truncated.safetensors")
        try data.prefix(data.count / 2).write(to: truncated)
        let t = failure(truncated)
        #expect(t.contains("truncated.safetensors") && t.contains("truncated file"), "\(t)")
        // The metadata says SRGAN but the keys are something else: the first missing key is named.
        let other = try editedCopy("srgan-x2", in: dir) { t in
            let kept = t["block1.0.bias"]!
            t = ["dense.weight": kept]
        }
        #expect(failure(other).contains("'block1.0.weight' is missing"))
        // Neither keys nor metadata of a known upscaler.
        var writer = SafeTensorsWriter()
        writer.add("dense.weight", shape: [2], values: [1, 2])
        let unknown = dir.appendingPathComponent("unknown.safetensors")
        try writer.write(to: unknown, precision: .f32)
        #expect(failure(unknown).contains("not a known upscaler"))
    }

    @Test func frameReaderReportsBadFiles() throws {
        let dir = try TestPaths.temporaryDirectory()
        let junk = dir.appendingPathComponent("junk.png")
        try Data("not a png".utf8).write(to: junk)
        expectError(.input) { _ = try FrameReader(url: junk).next() }
        expectError(.input) { _ = try FrameReader(url: dir.appendingPathComponent("absent.mp4")) }
        let empty = dir.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        do {
            _ = try FrameReader(url: empty)
            Issue.record("an empty directory was accepted")
        } catch let error as PSGANError where error.kind == .input {
            #expect(error.description.contains("empty") && error.description.contains("no .png files"))
        }
    }

    @Test func pngFileRoundTripsThroughFrameReaderWithOddSizes() throws {
        let dir = try TestPaths.temporaryDirectory()
        let image = RGBImage(width: 7, height: 5, pixels: (0 ..< 105).map { UInt8(($0 * 41) % 256) })
        let url = dir.appendingPathComponent("odd.png")
        try PNGFile.write(image, to: url)
        #expect(try FrameReader(url: url).next() == image)
        #expect(try decodeRGBFrames(url, width: 7, height: 5) == [image.pixels])
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: dir.path)) == ["odd.png"])
    }
}

extension Array where Element == (name: String, file: String) {
    /// The file name, in `samples/upscalers`, of the model called `name`.
    func firstIndexFor(_ name: String) -> String { first { $0.name == name }!.file }
}
