import Foundation
import Testing
@testable import PSGANKit

/// Reading and writing generator files, and every way a bad one is rejected.
@Suite struct ModelFileTests {
    static let tinyConfig = GeneratorConfig(resolution: 8, latentDim: 4, keypoints: 18, layout: "coco18",
                                            channels: [4: 3, 8: 2])

    /// Writes `data` to a fresh file and returns its URL.
    func file(_ data: Data, name: String = "model.safetensors") throws -> URL {
        let url = try TestPaths.temporaryDirectory().appendingPathComponent(name)
        try data.write(to: url)
        return url
    }

    /// A valid model file's bytes.
    func validBytes(precision: SafeTensorsWriter.Precision = .f32) throws -> Data {
        var writer = SafeTensorsWriter(metadata: ["format": "psgan-generator", "version": "1", "config": Self.tinyConfig.json])
        let model = try PSGANModel.random(config: Self.tinyConfig, seed: 3)
        for (name, shape) in Self.tinyConfig.tensorShapes { writer.add(name, shape: shape, values: model.weights[name]!) }
        return writer.encoded(precision: precision)
    }

    /// Builds a file from a header object and a data area.
    func rawFile(header: String, data: Data = Data()) -> Data {
        var bytes = Data()
        var length = UInt64(header.utf8.count).littleEndian
        withUnsafeBytes(of: &length) { bytes.append(contentsOf: $0) }
        bytes.append(Data(header.utf8))
        bytes.append(data)
        return bytes
    }

    func expectModelError(_ data: Data, containing fragments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = try file(data)
        do {
            _ = try PSGANModel(contentsOf: url)
            Issue.record("expected an error containing \(fragments)", sourceLocation: sourceLocation)
        } catch let error as PSGANError where error.kind == .model {
            #expect(error.description.hasPrefix(url.path + ": "), sourceLocation: sourceLocation)
            for fragment in fragments {
                #expect(error.description.contains(fragment), "\(error.description)", sourceLocation: sourceLocation)
            }
            #expect(!error.description.contains("\n"), sourceLocation: sourceLocation)
        }
    }

    @Test func roundTripF32IsExact() throws {
        let url = try file(try validBytes())
        let loaded = try PSGANModel(contentsOf: url)
        let original = try PSGANModel.random(config: Self.tinyConfig, seed: 3)
        #expect(loaded.config == Self.tinyConfig)
        #expect(loaded.weights == original.weights)
    }

    @Test func f16IsWidenedOnLoad() throws {
        let url = try file(try validBytes(precision: .f16))
        let loaded = try PSGANModel(contentsOf: url)
        let original = try PSGANModel.random(config: Self.tinyConfig, seed: 3)
        let file = try SafeTensorsFile(contentsOf: url)
        #expect(file.tensors["dense.weight"]?.dtype == .f16)
        for (name, values) in original.weights {
            let widened = values.map { Float(Float16($0)) }
            #expect(loaded.weights[name] == widened, "\(name)")
        }
        // Hand-checked F16 bit patterns: 0x3C00 = 1.0, 0xC000 = -2.0, 0x3555 ~ 0.333.
        let header = #"{"t":{"dtype":"F16","shape":[3],"data_offsets":[0,6]}}"#
        let raw = try SafeTensorsFile(data: rawFile(header: header, data: Data([0x00, 0x3C, 0x00, 0xC0, 0x55, 0x35])), path: "x")
        #expect(try raw.floats("t") == [1, -2, Float(Float16(bitPattern: 0x3555))])
    }

    @Test func truncatedFilesAreRejected() throws {
        let bytes = try validBytes()
        try expectModelError(bytes.prefix(5), containing: ["truncated"])
        try expectModelError(bytes.prefix(40), containing: ["truncated", "header claims"])
        try expectModelError(bytes.prefix(bytes.count - 3), containing: ["outside the file", "truncated"])
    }

    @Test func oversizedOrMalformedHeadersAreRejected() throws {
        var huge = Data([0, 0, 0, 0, 0, 0, 0, 0x10])
        huge.append(Data(repeating: 0x20, count: 64))
        try expectModelError(huge, containing: ["larger than"])
        try expectModelError(rawFile(header: "{not json"), containing: ["malformed header"])
        try expectModelError(rawFile(header: "[1, 2]"), containing: ["malformed header"])
        try expectModelError(rawFile(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}"#, data: Data(count: 8)),
                        containing: ["tensor 'a'", "not in order"])
        try expectModelError(rawFile(header: #"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: Data(count: 8)),
                        containing: ["tensor 'a'", "do not hold"])
        try expectModelError(rawFile(header: #"{"a":{"dtype":"Q7","shape":[2],"data_offsets":[0,8]}}"#, data: Data(count: 8)),
                        containing: ["tensor 'a'", "unknown dtype 'Q7'"])
        try expectModelError(rawFile(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: Data(count: 8)),
                        containing: ["overlap"])
    }

    @Test func duplicateKeysAndBytesOutsideTheTensorsAreRejected() throws {
        let tensor = #""a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}"#
        try expectModelError(rawFile(header: "{\(tensor),\(tensor)}", data: Data(count: 8)), containing: ["key 'a' appears more than once"])
        try expectModelError(rawFile(header: "{\(tensor),\"\\u0061\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", data: Data(count: 8)),
                        containing: ["appears more than once"])
        try expectModelError(rawFile(header: "{\(tensor)}", data: Data(count: 12)), containing: ["4 bytes after the last tensor"])
        try expectModelError(rawFile(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: Data(count: 8)),
                        containing: ["4 bytes before tensor 'a'"])
        // A valid file with bytes appended is damaged, not a model.
        var appended = try validBytes()
        appended.append(contentsOf: [1, 2, 3])
        try expectModelError(appended, containing: ["3 bytes after the last tensor"])
    }

    @Test func metadataIsChecked() throws {
        try expectModelError(rawFile(header: "{}"), containing: ["not a psgan generator", "format"])
        try expectModelError(rawFile(header: #"{"__metadata__":{"format":"other","version":"1"}}"#), containing: ["'other'"])
        try expectModelError(rawFile(header: #"{"__metadata__":{"format":"psgan-generator","version":"2"}}"#), containing: ["version '2'"])
        try expectModelError(rawFile(header: #"{"__metadata__":{"format":"psgan-generator","version":"1","config":"{\"resolution\": 12}"}}"#),
                        containing: ["config"])
        let badResolution = #"{\"resolution\": 12, \"latent_dim\": 4, \"keypoints\": 18, \"layout\": \"coco18\", \"channels\": {\"4\": 3, \"8\": 2}}"#
        try expectModelError(rawFile(header: #"{"__metadata__":{"format":"psgan-generator","version":"1","config":""# + badResolution + #""}}"#),
                        containing: ["resolution 12"])
        let missingChannel = #"{\"resolution\": 16, \"latent_dim\": 4, \"keypoints\": 18, \"layout\": \"coco18\", \"channels\": {\"4\": 3, \"8\": 2}}"#
        try expectModelError(rawFile(header: #"{"__metadata__":{"format":"psgan-generator","version":"1","config":""# + missingChannel + #""}}"#),
                        containing: ["no entry for resolution 16"])
    }

    @Test func missingWrongShapeAndWrongDtypeTensorsAreNamed() throws {
        let config = Self.tinyConfig
        let model = try PSGANModel.random(config: config, seed: 1)
        func bytes(dropping: String? = nil, reshaping: String? = nil) -> Data {
            var writer = SafeTensorsWriter(metadata: ["format": "psgan-generator", "version": "1", "config": config.json])
            for (name, shape) in config.tensorShapes where name != dropping {
                let values = model.weights[name]!
                writer.add(name, shape: name == reshaping ? [values.count] : shape, values: values)
            }
            return writer.encoded(precision: .f32)
        }
        try expectModelError(bytes(dropping: "b8.conv1.weight"), containing: ["tensor 'b8.conv1.weight' is missing", "[2, 2, 3, 3]"])
        try expectModelError(bytes(reshaping: "b4.conv.weight"), containing: ["tensor 'b4.conv.weight' has shape [567]", "expected [3, 21, 3, 3]"])
        let config4 = config.json.replacingOccurrences(of: "\"", with: "\\\"")
        let header = #"{"__metadata__":{"format":"psgan-generator","version":"1","config":""# + config4
            + #""},"dense.weight":{"dtype":"I32","shape":[48,4],"data_offsets":[0,768]}}"#
        try expectModelError(rawFile(header: header, data: Data(count: 768)), containing: ["tensor 'dense.weight' has dtype I32", "F32 or F16"])
    }

    @Test func nonFiniteWeightsAreRejected() throws {
        for bad in [Float.nan, Float.infinity, -Float.infinity] {
            var model = try PSGANModel.random(config: Self.tinyConfig, seed: 1).weights
            model["b8.conv0.bias"]![1] = bad
            var writer = SafeTensorsWriter(metadata: ["format": "psgan-generator", "version": "1", "config": Self.tinyConfig.json])
            for (name, shape) in Self.tinyConfig.tensorShapes { writer.add(name, shape: shape, values: model[name]!) }
            try expectModelError(writer.encoded(precision: .f32), containing: ["tensor 'b8.conv0.bias'", "non-finite", "element 1"])
        }
    }

    @Test func missingFileIsReported() throws {
        let url = try TestPaths.temporaryDirectory().appendingPathComponent("absent.safetensors")
        expectError(.model) { try PSGANModel(contentsOf: url) }
    }

    @Test func configJSONRoundTripsAndCountsMatchHandValues() throws {
        let config = Self.tinyConfig
        #expect(try GeneratorConfig(json: config.json, path: "x") == config)
        // Parameters: dense 3*16*4 + 3; b4 3*21*9 + 3; b8 conv0 2*21*9 + 2, conv1 2*2*9 + 2; torgb 3*2 + 3.
        #expect(config.parameterCount == 192 + 3 + 567 + 3 + 378 + 2 + 36 + 2 + 6 + 3)
        // FLOPs: 2*4*3*16 + 2*16*21*3*9 + 2*64*9*(21*2 + 2*2) + 2*64*2*3.
        #expect(config.flopsPerFrame == Double(384 + 18144 + 52992 + 768))
        #expect(GeneratorConfig.paperChannels(resolution: 256) == [4: 512, 8: 512, 16: 512, 32: 512, 64: 256, 128: 128, 256: 64])
        #expect(GeneratorConfig.channels(parsing: "paper", resolution: 16) == [4: 512, 8: 512, 16: 512])
        #expect(GeneratorConfig.channels(parsing: "4:8,8:6", resolution: 8) == [4: 8, 8: 6])
        #expect(GeneratorConfig.channels(parsing: "4:8,8", resolution: 8) == nil)
        #expect(GeneratorConfig.channels(parsing: "", resolution: 8) == nil)
    }

    @Test func metadataWithQuotesAndControlCharactersRoundTrips() throws {
        let odd = "say \"hi\"\\ tab\t bell\u{07} é"
        var writer = SafeTensorsWriter(metadata: ["note": odd])
        writer.add("x\"y", shape: [1], values: [2])
        let file = try SafeTensorsFile(data: writer.encoded(precision: .f32), path: "x")
        #expect(file.metadata["note"] == odd)
        #expect(try file.floats("x\"y") == [2])
    }

    @Test func builtInLayoutMustAgreeWithKeypointCount() throws {
        var config = Self.tinyConfig
        config.keypoints = 20
        expectError(.model) { try config.validate(path: "x") }
        config.layout = "avatar20"
        try config.validate(path: "x")
    }
}
