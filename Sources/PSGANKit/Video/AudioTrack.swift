import CFFmpeg
import Foundation

/// An audio track to lay under a render: the file, when it starts, and which of the two sets the length.
public struct AudioTrack: Equatable, Sendable {
    /// Any file FFmpeg reads with an audio stream (the best one is taken).
    public var file: URL
    /// Seconds the audio is moved by: positive starts it that late into the video, negative skips
    /// that much of its beginning.
    public var offset: Double
    /// Keep both streams whole; otherwise the longer one is cut to the shorter (the video loses its
    /// last frames, or the audio is cut at the video's end).
    public var keepLength: Bool

    /// A track from `file`.
    public init(file: URL, offset: Double = 0, keepLength: Bool = false) {
        self.file = file
        self.offset = offset
        self.keepLength = keepLength
    }
}

/// The packets of an audio track, ready to mux: copied when the container takes the codec, else
/// encoded to AAC (or Opus for WebM) at 48 kHz.
final class AudioPackets {
    /// The packets, in order, with timestamps in ``timeBase`` already moved by the offset.
    private(set) var packets: [UnsafeMutablePointer<AVPacket>] = []
    /// The codec parameters for the output stream.
    let parameters: UnsafeMutablePointer<AVCodecParameters>
    /// The packets' time base.
    let timeBase: AVRational
    /// Whether the packets were copied (not encoded).
    let copied: Bool
    /// Where the audio ends on the output's timeline, in seconds.
    private(set) var end: Double = 0

    /// Reads (and, where needed, encodes) `track` for the container `format`, keeping what lies
    /// before `limit` seconds (nil: all of it).
    init(track: AudioTrack, format: UnsafePointer<AVOutputFormat>, webm: Bool, limit: Double?) throws {
        let path = PSGANError.displayPath(of: track.file)
        let (input, index) = try Self.openAudio(track)
        defer {
            var owned: UnsafeMutablePointer<AVFormatContext>? = input
            avformat_close_input(&owned)
        }
        guard let stream = input.pointee.streams[Int(index)] else { throw PSGANError(.input, file: path, "has no audio stream") }
        guard let parameters = avcodec_parameters_alloc() else { throw PSGANError(.input, file: path, "out of memory") }
        self.parameters = parameters
        let codecID = stream.pointee.codecpar.pointee.codec_id
        copied = avformat_query_codec(format, codecID, FF_COMPLIANCE_NORMAL) == 1
        if copied {
            avcodec_parameters_copy(parameters, stream.pointee.codecpar)
            parameters.pointee.codec_tag = 0
            timeBase = stream.pointee.time_base
            try copyPackets(from: input, stream: Int(index), offset: track.offset, limit: limit, path: path)
        } else {
            let encoder = try AudioEncoding(decoding: stream, webm: webm, path: path)
            defer { encoder.close() }
            timeBase = encoder.timeBase
            avcodec_parameters_from_context(parameters, encoder.encoder)
            packets = try encoder.encodeAll(from: input, stream: Int(index), offset: track.offset, limit: limit)
            end = packets.last.map { Double($0.pointee.pts + $0.pointee.duration) * av_q2d(timeBase) } ?? 0
        }
    }

    deinit {
        for packet in packets {
            var owned: UnsafeMutablePointer<AVPacket>? = packet
            av_packet_free(&owned)
        }
        var parameters: UnsafeMutablePointer<AVCodecParameters>? = self.parameters
        avcodec_parameters_free(&parameters)
    }

    /// The audio's packets as they are, moved by `offset` and cut at `limit`.
    private func copyPackets(from input: UnsafeMutablePointer<AVFormatContext>, stream index: Int, offset: Double,
                             limit: Double?, path: String) throws {
        guard let packet = av_packet_alloc() else { throw PSGANError(.input, file: path, "out of memory") }
        var packet_: UnsafeMutablePointer<AVPacket>? = packet
        defer { av_packet_free(&packet_) }
        let shift = Int64((offset / av_q2d(timeBase)).rounded())
        var first: Int64?
        while true {
            let status = av_read_frame(input, packet)
            if status == psgan_averror_eof() { break }
            guard status >= 0 else { throw PSGANError(.input, file: path, "cannot read the audio (\(FFmpegLog.message(status)))") }
            defer { av_packet_unref(packet) }
            guard Int(packet.pointee.stream_index) == index, packet.pointee.pts != psgan_av_nopts_value() else { continue }
            // The stream's own start (often not 0) is the track's time 0.
            if first == nil { first = packet.pointee.pts }
            let pts = packet.pointee.pts - first! + shift
            guard pts >= 0 else { continue }
            let seconds = Double(pts) * av_q2d(timeBase)
            if let limit, seconds >= limit { break }
            guard let copy = av_packet_clone(packet) else { throw PSGANError(.input, file: path, "out of memory") }
            copy.pointee.pts = pts
            copy.pointee.dts = pts
            packets.append(copy)
            end = max(end, Double(pts + packet.pointee.duration) * av_q2d(timeBase))
        }
    }

    /// The audio's length in seconds on the output's timeline, read before muxing (for cutting the video).
    static func duration(of track: AudioTrack) throws -> Double {
        let (input, index) = try openAudio(track)
        defer {
            var owned: UnsafeMutablePointer<AVFormatContext>? = input
            avformat_close_input(&owned)
        }
        let stream = input.pointee.streams[Int(index)]!
        var seconds = stream.pointee.duration != psgan_av_nopts_value()
            ? Double(stream.pointee.duration) * av_q2d(stream.pointee.time_base)
            : Double(input.pointee.duration) / Double(AV_TIME_BASE)
        if !(seconds.isFinite && seconds > 0) { seconds = 0 }
        return max(0, seconds + track.offset)
    }

    /// The track's file, opened with its stream info read, and the index of its best audio stream;
    /// the caller closes it (`avformat_close_input`).
    private static func openAudio(_ track: AudioTrack) throws -> (UnsafeMutablePointer<AVFormatContext>, Int32) {
        let path = PSGANError.displayPath(of: track.file)
        FFmpegLog.start()
        var opening: UnsafeMutablePointer<AVFormatContext>?
        let opened = avformat_open_input(&opening, track.file.path, nil, nil)
        guard opened >= 0, let input = opening else {
            throw PSGANError(.input, file: path, "cannot open the audio file (\(FFmpegLog.message(opened)))")
        }
        let info = avformat_find_stream_info(input, nil)
        let index = info >= 0 ? av_find_best_stream(input, AVMEDIA_TYPE_AUDIO, -1, -1, nil, 0) : -1
        guard info >= 0, index >= 0, input.pointee.streams[Int(index)] != nil else {
            avformat_close_input(&opening)
            throw PSGANError(.input, file: path, info < 0 ? "cannot read the stream info (\(FFmpegLog.message(info)))" : "has no audio stream")
        }
        return (input, index)
    }
}

extension AudioTrack {
    /// The most frames at `fps` a clip written to `output` may have so that it ends with this track:
    /// nil when the track keeps its length or the output is a folder of frames (which takes no
    /// audio); an error when the track (after its offset) is shorter than one frame.
    func frameLimit(fps: Double, output: URL) throws -> Int? {
        guard !keepLength, VideoContainer(fileExtension: output.pathExtension) != nil else { return nil }
        let frames = Int((try AudioPackets.duration(of: self) * fps).rounded())
        guard frames > 0 else {
            throw PSGANError(.input, url: file, problem: "the audio (after the offset) is shorter than one frame")
        }
        return frames
    }
}
