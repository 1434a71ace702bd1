#ifndef PSGAN_CFFMPEG_SHIM_H
#define PSGAN_CFFMPEG_SHIM_H

/*
 * FFmpeg's public headers for Swift, plus small inline functions for the
 * macros Swift cannot import (function-like macros, compound literals,
 * casts of unsigned constants).
 */

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <libavformat/avformat.h>
#include <libavformat/avio.h>
#include <libavcodec/avcodec.h>
#include <libswscale/swscale.h>
#include <libswresample/swresample.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/channel_layout.h>
#include <libavutil/avutil.h>
#include <libavutil/error.h>
#include <libavutil/frame.h>
#include <libavutil/imgutils.h>
#include <libavutil/log.h>
#include <libavutil/mathematics.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libavutil/rational.h>
#include <libavutil/sha.h>
#include <libavutil/crc.h>

/// AVERROR(EAGAIN): the encoder wants input / has no output yet.
static inline int psgan_averror_eagain(void) { return AVERROR(EAGAIN); }

/// AV_NOPTS_VALUE: no timestamp.
static inline int64_t psgan_av_nopts_value(void) { return AV_NOPTS_VALUE; }

/// av_audio_fifo_write with the frame's planes as the void ** it takes.
static inline int psgan_fifo_write(AVAudioFifo *fifo, AVFrame *frame) {
    return av_audio_fifo_write(fifo, (void **)frame->extended_data, frame->nb_samples);
}

/// av_audio_fifo_read into the frame's planes.
static inline int psgan_fifo_read(AVAudioFifo *fifo, AVFrame *frame, int samples) {
    return av_audio_fifo_read(fifo, (void **)frame->extended_data, samples);
}

/// Whether `status` says swresample's input frames changed since it was configured
/// (AVERROR_INPUT_CHANGED, possibly or-ed with AVERROR_OUTPUT_CHANGED).
static inline int psgan_averror_input_changed(int status) {
    return status == AVERROR_INPUT_CHANGED || status == (AVERROR_INPUT_CHANGED | AVERROR_OUTPUT_CHANGED);
}

/// AVERROR_EOF: the encoder has been fully drained.
static inline int psgan_averror_eof(void) { return AVERROR_EOF; }

/// AV_CODEC_FLAG_GLOBAL_HEADER as an int flag for AVCodecContext.flags.
static inline int psgan_codec_flag_global_header(void) { return AV_CODEC_FLAG_GLOBAL_HEADER; }

/// AVFMT_GLOBALHEADER: the muxer wants codec extradata in the container header.
static inline int psgan_avfmt_globalheader(void) { return AVFMT_GLOBALHEADER; }

/// AVFMT_NOFILE: the muxer does its own I/O (no avio_open needed).
static inline int psgan_avfmt_nofile(void) { return AVFMT_NOFILE; }

/// MKTAG(a, b, c, d): a little-endian four-character code.
static inline unsigned int psgan_mktag(char a, char b, char c, char d) {
    return MKTAG((unsigned char)a, (unsigned char)b, (unsigned char)c, (unsigned char)d);
}

/// av_err2str without the compound literal: writes the message for `errnum`
/// into `buffer` (always NUL-terminated) and returns `buffer`.
static inline const char *psgan_av_err2str(int errnum, char *buffer, size_t size) {
    if (size == 0) return buffer;
    if (av_strerror(errnum, buffer, size) < 0) {
        snprintf(buffer, size, "unknown FFmpeg error %d", errnum);
    }
    buffer[size - 1] = '\0';
    return buffer;
}

#endif /* PSGAN_CFFMPEG_SHIM_H */
