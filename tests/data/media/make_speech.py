"""Regenerate `speech_zh_en.wav`: over five minutes of espeak-ng speech, Mandarin and English,
at several pitches and speeds, normalised to -3 dBFS, as 8 kHz µ-law (the talk-off corpus
for the in-band DTMF detector).

    .venv/bin/python tests/data/media/make_speech.py   # needs espeak-ng and sox

espeak-ng 1.51 (Debian) synthesises each line to a 22.05 kHz WAV; sox converts it to 8 kHz
mono µ-law and joins the pieces. The output is committed; tests never run this script.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

HERE = Path(__file__).parent

ENGLISH = [
    "Thank you for calling the customer service center. Your call is important to us.",
    "For billing questions, press one. For technical support, press two.",
    "To speak with an agent, please stay on the line. All of our agents are busy.",
    "Your estimated wait time is four minutes. You are caller number seven in the queue.",
    "Please enter your account number followed by the pound key.",
    "I can see your order was shipped yesterday and should arrive on Thursday morning.",
    "Could you please confirm the last four digits of the card on your account?",
    "We are sorry, the number you have dialed is not in service. Please check and try again.",
    "Our office hours are Monday to Friday, nine in the morning to six in the evening.",
    "If you would like us to call you back, press the star key now.",
    "This call may be recorded for quality and training purposes.",
    "Hello, my name is Alice, how can I help you today? Sure, let me check that for you.",
    "The weather tomorrow will be sunny with a high of twenty eight degrees.",
    "Seventy, eighty, ninety, one hundred, two thousand and twenty six, nine nine nine.",
    "Good morning! Oh really? That is wonderful news. Hmm, let me think about it.",
    "Your ticket number is two zero three one five. Thank you, and have a nice day.",
]
CHINESE = [
    "您好，欢迎致电客户服务中心，您的来电对我们非常重要。",
    "查询账单请按一，技术支持请按二，人工服务请按零。",
    "所有坐席正忙，请您耐心等待，您前面还有七位客户。",
    "请输入您的账号，并以井号键结束。",
    "您的订单已于昨天发出，预计星期四上午送达。",
    "为了保证服务质量，您的通话可能会被录音。",
    "您好，我是客服代表小李，请问有什么可以帮您？好的，我帮您查一下。",
    "我们的营业时间是周一至周五，上午九点到下午六点。",
    "如需我们回电，请现在按星号键。",
    "您的工单号是二零三一五，感谢您的来电，祝您生活愉快。",
    "明天天气晴，最高气温二十八度，最低气温十六度。",
    "对不起，您拨打的号码是空号，请核对后再拨。",
]
# (voice, pitch 0..99, words per minute)
VOICES_EN = [("en-us", 30, 160), ("en-us", 70, 175), ("en-gb", 50, 150), ("en-us+f3", 60, 165)]
VOICES_ZH = [("cmn", 35, 150), ("cmn", 65, 170), ("cmn+f2", 50, 160), ("cmn+m3", 25, 140)]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        pieces = []
        # Each voice speaks every other line: about six minutes with every pitch and speed.
        jobs = [
            (v, t) for i, v in enumerate(VOICES_EN) for j, t in enumerate(ENGLISH) if (i + j) % 2
        ]
        jobs += [
            (v, t) for i, v in enumerate(VOICES_ZH) for j, t in enumerate(CHINESE) if (i + j) % 2
        ]
        for i, ((voice, pitch, speed), line) in enumerate(jobs):
            raw = Path(tmp) / f"{i:03d}.wav"
            subprocess.run(
                ["espeak-ng", "-v", voice, "-p", str(pitch), "-s", str(speed), "-w", str(raw),
                 line],
                check=True,
            )  # fmt: skip
            pieces.append(str(raw))
        subprocess.run(
            ["sox", *pieces, "-r", "8000", "-c", "1", "-e", "u-law",
             str(HERE / "speech_zh_en.wav"), "norm", "-3"],
            check=True,
        )  # fmt: skip


if __name__ == "__main__":
    main()
