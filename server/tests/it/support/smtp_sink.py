"""A real SMTP server for Gala's mail tests (aiosmtpd). Saves each received message as an .eml
file in a folder. Usage: smtp_sink.py PORT FOLDER. Prints "ready" once listening and runs until
its standard input closes (the test drops its handle) or it is killed."""
import os
import sys
import time

from aiosmtpd.controller import Controller


class SaveToFolder:
    def __init__(self, folder):
        self.folder = folder

    async def handle_DATA(self, server, session, envelope):
        path = os.path.join(self.folder, f"{time.time_ns()}.eml")
        with open(path + ".part", "wb") as out:
            out.write(envelope.original_content or envelope.content)
        os.rename(path + ".part", path)  # readers never see half a message
        return "250 Message accepted for delivery"


def main():
    port, folder = int(sys.argv[1]), sys.argv[2]
    controller = Controller(SaveToFolder(folder), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    try:
        sys.stdin.read()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
