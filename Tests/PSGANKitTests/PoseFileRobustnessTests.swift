import Foundation
import Testing
@testable import PSGANKit

/// Canvas mapping, malformed and damaged input, the bundled sample and the JSON parser.
@Suite struct PoseFileRobustnessTests {
    // MARK: - Canvas mapping

    @Test func canvasMappingFitsAndCentres() throws {
        let mapping = CanvasMapping(fitting: 640, height: 480, into: 256)
        #expect(mapping.scale == 0.4)
        #expect(mapping.offsetX == 0)
        #expect(mapping.offsetY == 32)
        #expect(mapping.apply(Keypoint(x: 0, y: 0, confidence: 0.7)) == Keypoint(x: 0, y: 32, confidence: 0.7))
        #expect(mapping.apply(Keypoint(x: 320, y: 240, confidence: 1)) == Keypoint(x: 128, y: 128, confidence: 1))
        #expect(mapping.apply(Keypoint(x: 640, y: 480, confidence: 0.2)) == Keypoint(x: 256, y: 224, confidence: 0.2))
        #expect(mapping.apply(.missing) == .missing)

        let portrait = CanvasMapping(fitting: 480, height: 640, into: 256)
        #expect(portrait == CanvasMapping(scale: 0.4, offsetX: 32, offsetY: 0))

        let identity = CanvasMapping(fitting: 256, height: 256, into: 256)
        #expect(identity == CanvasMapping(scale: 1, offsetX: 0, offsetY: 0))
        let point = Keypoint(x: 12.345, y: 250.5, confidence: 0.3)
        #expect(identity.apply(point) == point)

        let upscale = CanvasMapping(fitting: 128, height: 64, into: 256)
        #expect(upscale == CanvasMapping(scale: 2, offsetX: 0, offsetY: 64))

        #expect(CanvasMapping(fitting: 0, height: 0, into: 256) == CanvasMapping(scale: 1, offsetX: 0, offsetY: 0))
    }

    @Test func mappedSequenceLandsOnTheSquareCanvas() throws {
        var poses = sampleCoco18()  // 640 x 480
        poses.frames[0][0] = Keypoint(x: 320, y: 240, confidence: 0.5)
        let mapped = poses.mapped(to: CanvasMapping(fitting: poses.canvasWidth, height: poses.canvasHeight, into: 256))
        #expect(mapped.canvasWidth == 256 && mapped.canvasHeight == 256)
        #expect(mapped.frames[0][0] == Keypoint(x: 128, y: 128, confidence: 0.5))
        #expect(mapped.frames[1][4] == .missing)
        #expect(mapped.fps == poses.fps && mapped.layout == poses.layout && mapped.frameCount == poses.frameCount)

        let odd = PoseSequence(layout: "coco18", keypointCount: 18, fps: 30, canvasWidth: 1920, canvasHeight: 1080,
                               frames: [Array(repeating: .missing, count: 18)])
        let oddMapped = odd.mapped(to: CanvasMapping(fitting: 1920, height: 1080, into: 384))
        #expect(oddMapped.canvasWidth == 384 && oddMapped.canvasHeight == 384)

        let square = sampleCoco18()
        var same = square
        same.canvasWidth = 256
        same.canvasHeight = 256
        #expect(same.mapped(to: CanvasMapping(fitting: 256, height: 256, into: 256)) == same)
    }

    // MARK: - Malformed input

    @Test(arguments: malformedCases)
    func malformedNativeFilesGiveErrorsNamingTheFile(_ testCase: MalformedPoseFile) throws {
        let directory = try makeTemporaryDirectory()
        let url = try writeFile(testCase.content, named: "\(testCase.name).json", in: directory)
        let message = readError(url, canvas: testCase.name == "people-not-array" ? CanvasSize(width: 10, height: 10) : nil)
        #expect(message.contains("\(testCase.name).json: "), "message: \(message)")
        for part in testCase.expected {
            #expect(message.contains(part), "message: \(message)")
        }
        #expect(!message.contains("\n"), "messages are one line: \(message)")
    }

    @Test func notUTF8IsAnError() throws {
        let directory = try makeTemporaryDirectory()
        let url = directory.appendingPathComponent("latin1.json")
        try Data([0x7B, 0x22, 0x66, 0xE9, 0xFF, 0x22, 0x7D]).write(to: url)
        let message = readError(url)
        #expect(message.contains("latin1.json: not UTF-8"))
    }

    @Test func missingAndOversizedFilesAreErrors() throws {
        let directory = try makeTemporaryDirectory()
        let missing = directory.appendingPathComponent("nowhere.json")
        #expect(readError(missing).contains("nowhere.json: no such file or directory"))

        // A sparse file just over the limit: nothing is read into memory.
        let huge = directory.appendingPathComponent("huge.json")
        _ = FileManager.default.createFile(atPath: huge.path, contents: Data("{".utf8))
        let handle = try FileHandle(forWritingTo: huge)
        try handle.truncate(atOffset: UInt64(PoseFileReader.maximumFileSize) + 1)
        try handle.close()
        let message = readError(huge)
        #expect(message.contains("huge.json: the file is too large"))
    }

    @Test func relativePathsStayRelativeInMessages() throws {
        let directory = try makeTemporaryDirectory()
        try writeFile("{}", named: "walk.json", in: directory)
        let relative = URL(fileURLWithPath: "walk.json", relativeTo: directory)
        #expect(readError(relative) == #"walk.json: not a psgan pose file (missing "format")"#)

        let op = directory.appendingPathComponent("op", isDirectory: true)
        try FileManager.default.createDirectory(at: op, withIntermediateDirectories: true)
        try writeFile(openPoseJSON([openPoseValues(count: 17, base: 0)]), named: "000001_keypoints.json", in: op)
        let relativeDirectory = URL(fileURLWithPath: "op", relativeTo: directory)
        #expect(readError(relativeDirectory, canvas: CanvasSize(width: 640, height: 480))
                == "op/000001_keypoints.json: pose_keypoints_2d has 51 values; expected 54 (COCO-18) or 75 (BODY_25)")
    }

    @Test func symbolicLinksToSpecialFilesAreRefused() throws {
        let directory = try makeTemporaryDirectory()
        let link = directory.appendingPathComponent("zero.json")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "/dev/zero")
        #expect(readError(link).contains("zero.json: not a regular file"))

        let good = try writeFile(nativeJSON(), named: "real.json", in: directory)
        let goodLink = directory.appendingPathComponent("linked.json")
        try FileManager.default.createSymbolicLink(atPath: goodLink.path, withDestinationPath: good.path)
        #expect(try PoseFileReader.read(goodLink).frameCount == 2)
    }

    // MARK: - Bundled sample

    @Test func bundledWalkPoseParses() throws {
        let root = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // PSGANKitTests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()  // package root
        let poses = try PoseFileReader.read(root.appendingPathComponent("poses/walk.json"))
        #expect(poses.layout == "coco18")
        #expect(poses.keypointCount == 18)
        #expect(poses.frameCount == 120)
        #expect(poses.fps == 30)
        #expect(poses.canvasWidth == 512 && poses.canvasHeight == 512)
        #expect(poses.frames.allSatisfy { frame in frame.allSatisfy { $0.isPresent } })
        let points = poses.frames.flatMap { $0 }
        let ys = points.map(\.y), xs = points.map(\.x)
        #expect(try #require(ys.min()) > 40 && #require(ys.max()) < 472)
        #expect(try #require(xs.min()) > 40 && #require(xs.max()) < 472)
        // Ankles lower than hips, hips lower than the nose, in every frame.
        for frame in poses.frames {
            #expect(frame[10].y > frame[8].y && frame[13].y > frame[11].y)
            #expect(frame[8].y > frame[0].y)
        }
    }

    // MARK: - JSON parsing

    @Test func jsonParserReadsNumbersExactly() throws {
        var generator = SystemRandomNumberGenerator()
        var samples = ["0", "-0", "0.1", "1.5e3", "1E-5", "-2.5E+2", "123456789012345678", "0.30000000000000004",
                       "9007199254740993", "1e22", "1e23", "4.9e-324", "1.7976931348623157e308", "12345.678901234567"]
        for _ in 0..<2000 {
            let whole = Int.random(in: -5000...5000, using: &generator)
            let fraction = Int.random(in: 0...999_999, using: &generator)
            samples.append("\(whole).\(String(fraction))")
            samples.append("\(Double.random(in: -1e6...1e6, using: &generator))")
        }
        for text in samples {
            let value = try PoseFileReader.JSONValue.parse(Data(text.utf8))
            let expected = try #require(Double(text))
            #expect(value == .number(expected), "\(text)")
        }
        // JSONSerialization refuses numbers beyond a Double; any that came back infinite would be marked.
        #expect(throws: PoseFileReader.JSONValue.SyntaxError.self) { try PoseFileReader.JSONValue.parse(Data("1e400".utf8)) }
        #expect(try PoseFileReader.JSONValue(foundation: NSNumber(value: Double.infinity)) == .unrepresentableNumber)
    }

    @Test func jsonParserStringsAndStructure() throws {
        let text = #" {"a\"b": ["\u00e9\ud83d\ude00\n", true, false, null, {}, []], "a\"b": 2, "c": "é"} "#
        let value = try PoseFileReader.JSONValue.parse(Data(text.utf8))
        #expect(value == .object(["a\"b": .number(2), "c": .string("é")]))  // the last duplicate wins
        let array = try PoseFileReader.JSONValue.parse(Data(#"["\u00e9\ud83d\ude00\n\/", true, false, null, {}, []]"#.utf8))
        #expect(array == .array([.string("é😀\n/"), .bool(true), .bool(false), .null, .object([:]), .array([])]))
        // Foundation returns true, false, 1 and 0 all as NSNumber; only the booleans become .bool.
        let numbers = try PoseFileReader.JSONValue.parse(Data("[1, 0, 1.0, true, false]".utf8))
        #expect(numbers == .array([.number(1), .number(0), .number(1), .bool(true), .bool(false)]))
        #expect(try PoseFileReader.JSONValue.parse(Data("true".utf8)) == .bool(true))
        #expect(try PoseFileReader.JSONValue.parse(Data("1".utf8)) == .number(1))

        // (Foundation accepts a trailing comma, "[1,]" and "{"a": 1,}", so those are no longer here.)
        for bad in ["[01]", "[1.]", "[.5]", "[+1]", "[1e]", "{\"a\" 1}", "{1: 2}", "[\"\\x\"]", "[\"\\ud800\"]",
                    "[\"a\nb\"]", "[tru]", "[1] [2]", "[-]", "[\"\\u12\"]"] {
            #expect(throws: PoseFileReader.JSONValue.SyntaxError.self, "\(bad)") {
                try PoseFileReader.JSONValue.parse(Data(bad.utf8))
            }
        }
        let (line, column) = PoseFileReader.JSONValue.lineAndColumn(of: 7, in: Array("ab\ncdefgh".utf8))
        #expect(line == 2 && column == 5)
        let (_, accented) = PoseFileReader.JSONValue.lineAndColumn(of: 5, in: Array("éé x".utf8))
        #expect(accented == 4)  // columns count characters, not bytes
    }

    @Test func damagedFilesNeverCrash() throws {
        let directory = try makeTemporaryDirectory()
        let original = Array(nativeJSON(keypoints: 18, frames: 3).utf8)
        var generator = SystemRandomNumberGenerator()
        var variants: [[UInt8]] = stride(from: 0, to: original.count, by: 7).map { Array(original[..<$0]) }
        let replacements = Array("{}[],:\"\\-0e.9nNtI \n".utf8) + [0x00, 0xFF, 0xC3]
        for _ in 0..<200 {
            var damaged = original
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                let at = Int.random(in: 0..<damaged.count, using: &generator)
                damaged[at] = replacements.randomElement(using: &generator) ?? 0
            }
            variants.append(damaged)
        }
        let url = directory.appendingPathComponent("damaged.json")
        var badMessages: [String] = []
        for bytes in variants {
            try Data(bytes).write(to: url)
            do {
                _ = try PoseFileReader.read(url)
            } catch let error as PSGANError where error.kind == .poses {
                let message = error.description
                if !message.hasPrefix(url.path + ": ") || message.contains("\n") { badMessages.append(message) }
            }
        }
        #expect(badMessages.isEmpty)
    }
}
