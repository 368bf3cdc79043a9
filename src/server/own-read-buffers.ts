// Node reads an accepted socket into a fresh 64 KiB buffer per read, and V8
// counts each as external memory: at a few hundred MB/s that brings a scavenge
// for "external memory pressure" several times a second, each a pause of
// milliseconds for every connection. A socket Node creates for us can be told
// where its reads land instead (`onread`), but net.Server offers no such option
// for the sockets it accepts. So an accepted socket, still paused
// (pauseOnConnect), hands its handle to a socket built with `onread`, as Node's
// own accept does with its options: nothing has been read yet, and the first
// socket is left without a handle to close.
//
// Only a plain TCP socket is moved; anything else (a TLS socket, a Node without
// the field) keeps its 'data' events, and its caller copies them.

import net from 'node:net';

export interface ReadTarget {
  /** Where the next read lands. */
  buffer: () => Buffer;
  /** `n` bytes were read there; false pauses reading until the socket is resumed. */
  callback: (n: number) => boolean;
}

interface WithHandle {
  _handle: object | null;
}

/** The socket that now owns `accepted`'s handle and reads with `onread`, or null if it could not be moved. */
export function withOwnReadBuffers(accepted: net.Socket, onread: ReadTarget): net.Socket | null {
  const moving = accepted as unknown as WithHandle;
  if (accepted.constructor !== net.Socket || moving._handle === null || typeof moving._handle !== 'object') return null;
  const handle = moving._handle;
  moving._handle = null;
  // Without its handle, destroying it only settles the server's count of connections.
  accepted.destroy();
  return new net.Socket({ handle, onread, readable: true, writable: true } as net.SocketConstructorOpts);
}
