import CFFmpeg
import Foundation

/// The checks a ``VideoWriter`` makes before it opens anything: the output's name against the
/// codec, what already stands at the output, and the exact frame rate.
extension VideoWriter {
    /// Checks the output name against the codec and returns the container it implies.
    static func container(for url: URL, codec: VideoCodec) throws -> VideoContainer {
        let path = url.path
        let ext = url.pathExtension
        if codec == .png {
            if let named = VideoContainer(fileExtension: ext) {
                throw PSGANError(.video, "\(path): codec 'png' writes a directory of PNG frames, not a "
                    + "\(named.displayName) file (give a directory name, or pick a video codec)")
            }
            return .pngSequence
        }
        guard let container = VideoContainer(fileExtension: ext) else {
            let what = ext.isEmpty ? "has no file extension" : "has an unknown video file extension '.\(ext)'"
            throw PSGANError(.video, "\(path): \(what) (use \(VideoContainer.knownExtensionsList))")
        }
        guard codec.allowedContainers.contains(container) else {
            let names = codec.allowedContainers.map(\.displayName)
            let list = names.count == 1 ? names[0] : names.dropLast().joined(separator: ", ") + " or " + names.last!
            throw PSGANError(.video, "\(path): codec '\(codec.rawValue)' cannot be stored in a "
                + "\(container.displayName) file (use \(list))")
        }
        return container
    }

    /// Refuses outputs that ``finish()`` could not (or must not) replace.
    static func checkExistingOutput(at path: String, container: VideoContainer) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return }
        if container == .pngSequence {
            guard isDirectory.boolValue else {
                throw PSGANError(.video, "\(path): already exists and is not a directory (the png codec writes a directory of frames)")
            }
            let contents = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? ["?"]
            guard contents.isEmpty else {
                throw PSGANError(.video, "\(path): directory already exists and is not empty (choose a new name or empty it)")
            }
        } else if isDirectory.boolValue {
            throw PSGANError(.video, "\(path): is a directory (give a file name ending in .\(container.fileExtension ?? ""))")
        }
    }

    /// The exact frame rate: N×1000/1001 for NTSC-style rates, otherwise the closest ratio.
    static func rational(fps: Double) -> AVRational {
        let ntsc = (fps * 1.001).rounded()
        if ntsc >= 1, abs(fps * 1.001 - ntsc) < 0.0002 {
            var rate = AVRational()
            av_reduce(&rate.num, &rate.den, Int64(ntsc) * 1000, 1001, Int64(Int32.max))
            return rate
        }
        return av_d2q(fps, 1_001_000)
    }
}
