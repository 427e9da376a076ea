<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name></name>
    <message>
        <source>SettingsDialog</source>
        <comment>Explain step by step (CoT)</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Check with Python code (TIR)</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Allow the model&apos;s Python code to run</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>TIR runs the code in a sandbox without network or your files.</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Same as the system</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Light</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Dark</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Keep forever</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Delete after {days} days</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Open</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>A new language is used from the next start.</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Solving mode:</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Theme:</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Language:</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Data folder:</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>History:</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Solving mode</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Theme</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Language</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Data folder</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Open the data folder</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Keep history</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Choose a model folder or a Hugging Face model id.</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Hugging Face model; about {vram:.1f} GB of GPU memory.</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Hugging Face model id.</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>{kind}: {disk:.1f} GB on disk, about {vram:.1f} GB of GPU memory.</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Reader (reads the image):</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Solver (solves the problem):</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>A folder, or an id like Qwen/…</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Browse…</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Choose the {stage} folder</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Looking for a GPU…</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Use the recommended models</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Device:</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Longest answer (tokens):</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>GPU:</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Device</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Longest answer in tokens</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>GPU and recommended models</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>No CUDA GPU found. Smallest models: {names}.</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>{gb:.0f} GB of GPU memory. Recommended: {names}.</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>The reader turns the picture into text; the solver solves it.</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Read images with:</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Solve problems with:</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Model:</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>{stage} model</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Alibaba DashScope (cloud)</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>This computer (local models)</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Server: {name}</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>The server in OPENAI_BASE_URL</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Beijing (China mainland)</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>International (Singapore)</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>A key is saved; type here to replace it</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Paste your DashScope API key (sk-…)</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Test connection</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>The key is kept in the system keyring, never in files.</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Region:</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>API key:</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Reader model:</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Solver model:</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>DashScope region</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>DashScope API key</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>DashScope reader model</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>DashScope solver model</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Test the DashScope connection</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Backends</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>DashScope</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Local models</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Servers</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>General</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Problem</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Every server needs a name.</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Two servers are called “{name}”; rename one.</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>The base URL of “{name}” must look like http://host:8000/v1.</comment>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>SettingsDialog</source>
        <comment>The key variable of “{name}” must be the name of an environment variable, not the key itself.</comment>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Add</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Empty server</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Remove</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>e.g. VLLM_API_KEY (optional)</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>vLLM / SGLang</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>DashScope compatible mode</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Plain (Ollama, LM Studio)</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Name:</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Base URL:</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Key variable:</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Server kind:</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Models:</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Add a server</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Remove the server</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Server name</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Base URL</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Environment variable holding the key</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Reader model</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Solver model</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Server kind</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SettingsDialog</source>
        <comment>Models the server lists</comment>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>AnswerView</name>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Select all</source>
        <translation>全选</translation>
    </message>
</context>
<context>
    <name>DropArea</name>
    <message>
        <source>Drop, paste (Ctrl+V) or open (Ctrl+O) an image of a math problem</source>
        <translation>拖入、粘贴 (Ctrl+V) 或打开 (Ctrl+O) 一张数学题图片</translation>
    </message>
    <message>
        <source>Problem image</source>
        <translation>题目图片</translation>
    </message>
</context>
<context>
    <name>HistoryModel</name>
    <message>
        <source>Today</source>
        <translation>今天</translation>
    </message>
    <message>
        <source>Yesterday</source>
        <translation>昨天</translation>
    </message>
    <message>
        <source>Earlier this week</source>
        <translation>本周早些时候</translation>
    </message>
    <message>
        <source>Earlier this month</source>
        <translation>本月早些时候</translation>
    </message>
    <message>
        <source>Older</source>
        <translation>更早</translation>
    </message>
</context>
<context>
    <name>HistorySidebar</name>
    <message>
        <source>ddd HH:mm</source>
        <comment>Qt date format</comment>
        <translation>ddd HH:mm</translation>
    </message>
    <message>
        <source>d MMM</source>
        <comment>Qt date format</comment>
        <translation>M月d日</translation>
    </message>
    <message>
        <source>d MMM yyyy</source>
        <comment>Qt date format</comment>
        <translation>yyyy年M月d日</translation>
    </message>
    <message>
        <source>Search history</source>
        <translation>搜索历史记录</translation>
    </message>
    <message>
        <source>New</source>
        <translation>新题目</translation>
    </message>
    <message>
        <source>Start a new problem</source>
        <translation>开始一道新题目</translation>
    </message>
    <message>
        <source>History</source>
        <translation>历史记录</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <source>conversation</source>
        <translation>对话</translation>
    </message>
    <message>
        <source>Deleted “{title}”</source>
        <translation>已删除“{title}”</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <source>Rename</source>
        <translation>重命名</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>No matches.</source>
        <translation>没有匹配的结果。</translation>
    </message>
    <message>
        <source>No saved problems yet.</source>
        <translation>还没有保存的题目。</translation>
    </message>
</context>
<context>
    <name>KeyPrompt</name>
    <message>
        <source>DashScope API key</source>
        <translation>DashScope API 密钥</translation>
    </message>
    <message>
        <source>Qwen Math reads and solves problems with Alibaba DashScope.
Paste your DashScope API key (it is kept in the system keyring):</source>
        <translation>Qwen Math 通过阿里云 DashScope 识别和求解题目。
请粘贴你的 DashScope API 密钥（它会保存在系统密钥环中）：</translation>
    </message>
    <message>
        <source>{reason} It is used for this session only.</source>
        <translation>{reason} 该密钥仅在本次运行期间使用。</translation>
    </message>
    <message>
        <source>Key not saved</source>
        <translation>密钥未保存</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Step by step</source>
        <translation>逐步推理</translation>
    </message>
    <message>
        <source>With Python (TIR)</source>
        <translation>用 Python 推理 (TIR)</translation>
    </message>
    <message>
        <source>&amp;New Problem</source>
        <translation>新题目(&amp;N)</translation>
    </message>
    <message>
        <source>S&amp;nip Screen</source>
        <translation>截图框选(&amp;N)</translation>
    </message>
    <message>
        <source>Snip a region of the screen</source>
        <translation>框选屏幕上的一块区域并求解</translation>
    </message>
    <message>
        <source>&amp;Open Image…</source>
        <translation>打开图片(&amp;O)…</translation>
    </message>
    <message>
        <source>&amp;Paste Image</source>
        <translation>粘贴图片(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Solve</source>
        <translation>求解(&amp;S)</translation>
    </message>
    <message>
        <source>S&amp;top</source>
        <translation>停止(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Regenerate</source>
        <translation>重新生成(&amp;R)</translation>
    </message>
    <message>
        <source>Answer again</source>
        <translation>重新解答一次</translation>
    </message>
    <message>
        <source>Copy &amp;Final Answer</source>
        <translation>复制最终答案(&amp;F)</translation>
    </message>
    <message>
        <source>Copy Answer as &amp;Markdown</source>
        <translation>将解答复制为 Markdown(&amp;M)</translation>
    </message>
    <message>
        <source>Searc&amp;h History</source>
        <translation>搜索历史记录(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Keyboard Shortcuts</source>
        <translation>键盘快捷键(&amp;K)</translation>
    </message>
    <message>
        <source>Open &amp;Log Folder</source>
        <translation>打开日志文件夹(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>Solving mode</source>
        <translation>求解模式</translation>
    </message>
    <message>
        <source>Step by step (chain of thought), or with Python run in a sandbox</source>
        <translation>逐步推理（思维链），或在沙盒中运行 Python 代码辅助推理</translation>
    </message>
    <message>
        <source>Main</source>
        <comment>the toolbar&apos;s name</comment>
        <translation>主工具栏</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Answer</source>
        <translation>解答(&amp;A)</translation>
    </message>
    <message>
        <source>Hi&amp;story</source>
        <translation>历史记录(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>Images (*.png *.jpg *.jpeg *.webp *.bmp *.gif *.tif *.tiff);;All files (*)</source>
        <translation>图片 (*.png *.jpg *.jpeg *.webp *.bmp *.gif *.tif *.tiff);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Solution</source>
        <translation>解答</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>The clipboard holds no image.</source>
        <translation>剪贴板中没有图片。</translation>
    </message>
    <message>
        <source>Drop an image, draw a sketch or type a question first.</source>
        <translation>请先拖入图片、画草图或输入题目。</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>正在启动…</translation>
    </message>
    <message>
        <source>Open an image</source>
        <translation>打开图片</translation>
    </message>
    <message>
        <source>The file could not be read ({reason}).</source>
        <translation>无法读取该文件（{reason}）。</translation>
    </message>
    <message>
        <source>Final answer copied.</source>
        <translation>已复制最终答案。</translation>
    </message>
    <message>
        <source>Answer copied as Markdown.</source>
        <translation>已将解答复制为 Markdown。</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <source>Reading the image with {model}…</source>
        <translation>正在用 {model} 识别图片…</translation>
    </message>
    <message>
        <source>Solving with {model}…</source>
        <translation>正在用 {model} 求解…</translation>
    </message>
    <message>
        <source>Running the model&apos;s Python code in the sandbox…</source>
        <translation>正在沙盒中运行模型编写的 Python 代码…</translation>
    </message>
    <message>
        <source>The code ended with status: {status}.</source>
        <translation>代码运行结束，状态：{status}。</translation>
    </message>
    <message>
        <source>{reason} Trying again in {seconds} s…</source>
        <translation>{reason} {seconds} 秒后重试…</translation>
    </message>
    <message>
        <source>Final answer: {answer}</source>
        <translation>最终答案：{answer}</translation>
    </message>
    <message>
        <source>{status} ({note})</source>
        <translation>{status}（{note}）</translation>
    </message>
    <message>
        <source>not checked</source>
        <translation>未验证</translation>
    </message>
    <message>
        <source>Done.</source>
        <translation>完成。</translation>
    </message>
    <message>
        <source>Stopped.</source>
        <translation>已停止。</translation>
    </message>
    <message>
        <source>Stopped. The partial answer is kept.</source>
        <translation>已停止。已生成的部分解答会保留。</translation>
    </message>
</context>
<context>
    <name>PipelineWorker</name>
    <message>
        <source>Something went wrong inside Qwen Math; details are in the log.</source>
        <translation>Qwen Math 内部出错了，详细信息见日志。</translation>
    </message>
</context>
<context>
    <name>ProblemPanel</name>
    <message>
        <source>Image</source>
        <translation>图片</translation>
    </message>
    <message>
        <source>Sketch</source>
        <translation>草图</translation>
    </message>
    <message>
        <source>Problem input</source>
        <translation>题目输入</translation>
    </message>
</context>
<context>
    <name>QuestionBox</name>
    <message>
        <source>Ask about the image, or type the whole problem (LaTeX welcome: $x^2$)</source>
        <translation>针对图片提问，或输入完整题目（支持 LaTeX：$x^2$）</translation>
    </message>
    <message>
        <source>Question</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>Enter solves; Shift+Enter starts a new line.</source>
        <translation>按 Enter 求解；按 Shift+Enter 换行。</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>预览</translation>
    </message>
    <message>
        <source>Show the math preview</source>
        <translation>显示公式预览</translation>
    </message>
    <message>
        <source>Question preview</source>
        <translation>问题预览</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>The check failed; see the log.</source>
        <translation>检查失败，详细信息见日志。</translation>
    </message>
    <message>
        <source>Choose the model folder</source>
        <translation>选择模型文件夹</translation>
    </message>
    <message>
        <source>Run the model&apos;s Python code?</source>
        <translation>运行模型编写的 Python 代码？</translation>
    </message>
    <message>
        <source>In TIR mode Qwen writes Python and Qwen Math runs it in a sandbox (a separate process with no network and no access to your keys or history). Allow it?</source>
        <translation>在 TIR 模式下，Qwen 会编写 Python 代码，由 Qwen Math 在沙盒中运行（一个独立的进程，不能联网，也无法访问你的密钥或历史记录）。是否允许？</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>正在连接…</translation>
    </message>
    <message>
        <source>OK: {model} answered.</source>
        <translation>成功：{model} 已响应。</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Settings pages</source>
        <translation>设置页面</translation>
    </message>
    <message>
        <source>{error} It is used for this session only.</source>
        <translation>{error} 该密钥仅在本次运行期间使用。</translation>
    </message>
    <message>
        <source>Key not saved</source>
        <translation>密钥未保存</translation>
    </message>
    <message>
        <source>Connected: the server lists {count} models.</source>
        <translation>已连接：服务器列出了 {count} 个模型。</translation>
    </message>
</context>
<context>
    <name>SketchPad</name>
    <message>
        <source>Draw the problem here with a pen, a finger or the mouse</source>
        <translation>用手写笔、手指或鼠标在这里画出题目</translation>
    </message>
    <message>
        <source>Sketch pad</source>
        <translation>草图板</translation>
    </message>
</context>
<context>
    <name>SketchPanel</name>
    <message>
        <source>Pen</source>
        <translation>笔</translation>
    </message>
    <message>
        <source>Eraser</source>
        <translation>橡皮擦</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <source>Redo</source>
        <translation>重做</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清空</translation>
    </message>
    <message>
        <source>Stroke width</source>
        <translation>笔画粗细</translation>
    </message>
    <message>
        <source>Solve Sketch</source>
        <translation>求解草图</translation>
    </message>
    <message>
        <source>Solve the sketch</source>
        <translation>求解这张草图</translation>
    </message>
    <message>
        <source>Width</source>
        <translation>粗细</translation>
    </message>
</context>
<context>
    <name>TirConsent</name>
    <message>
        <source>matches the code&apos;s output</source>
        <translation>与代码输出一致</translation>
    </message>
    <message>
        <source>differs from the code&apos;s output</source>
        <translation>与代码输出不一致</translation>
    </message>
    <message>
        <source>Run the model&apos;s Python code?</source>
        <translation>运行模型编写的 Python 代码？</translation>
    </message>
    <message>
        <source>In this mode Qwen writes Python and Qwen Math runs it to check its reasoning.</source>
        <translation>在此模式下，Qwen 会编写 Python 代码，由 Qwen Math 运行，以检验它的推理。</translation>
    </message>
    <message>
        <source>The code runs in a sandbox: a separate process with no network, no access to your keys, your home folder&apos;s secrets or your history, and limits on time and memory.</source>
        <translation>代码在沙盒中运行：这是一个独立的进程，不能联网，无法访问你的密钥、主文件夹中的私密文件或历史记录，并且有时间和内存限制。</translation>
    </message>
    <message>
        <source>Allow Once</source>
        <translation>仅允许本次</translation>
    </message>
    <message>
        <source>Always Allow</source>
        <translation>始终允许</translation>
    </message>
</context>
<context>
    <name>TranscriptEditor</name>
    <message>
        <source>The transcription of the image appears here; correct it and press Re-solve</source>
        <translation>图片的转写会显示在这里；可以修改后点击“重新求解”</translation>
    </message>
    <message>
        <source>Transcript</source>
        <translation>转写</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>预览</translation>
    </message>
    <message>
        <source>Show the typeset transcript</source>
        <translation>显示排版后的转写</translation>
    </message>
    <message>
        <source>Show the transcript typeset beside its source</source>
        <translation>在源码旁边显示排版后的转写</translation>
    </message>
    <message>
        <source>Re-solve</source>
        <translation>重新求解</translation>
    </message>
    <message>
        <source>Solve the corrected transcript</source>
        <translation>求解修改后的转写</translation>
    </message>
    <message>
        <source>Solve this transcript again without re-reading the image</source>
        <translation>不重新识别图片，直接再次求解这段转写</translation>
    </message>
    <message>
        <source>Typeset transcript</source>
        <translation>排版后的转写</translation>
    </message>
    <message>
        <source>Transcript (edited)</source>
        <translation>转写（已修改）</translation>
    </message>
</context>
<context>
    <name>Tray</name>
    <message>
        <source>&amp;Snip</source>
        <translation>截图(&amp;S)</translation>
    </message>
    <message>
        <source>S&amp;how</source>
        <translation>显示(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
</context>
<context>
    <name>WelcomePage</name>
    <message>
        <source>Welcome</source>
        <translation>欢迎</translation>
    </message>
    <message>
        <source>Welcome to Qwen Math</source>
        <translation>欢迎使用 Qwen Math</translation>
    </message>
    <message>
        <source>Qwen Math reads a math problem from a picture and explains the solution step by step. It needs a Qwen model to do that. Choose where the models run; you can change it later in the settings.</source>
        <translation>Qwen Math 能从图片中读出数学题，并逐步讲解解题过程。这需要一个 Qwen 模型。请选择模型在哪里运行；之后可以在设置中更改。</translation>
    </message>
    <message>
        <source>Use Alibaba DashScope (paste an API key)</source>
        <translation>使用阿里云 DashScope（粘贴 API 密钥）</translation>
    </message>
    <message>
        <source>The quickest start: Qwen&apos;s own cloud service. Problems are sent to Alibaba.</source>
        <translation>上手最快：Qwen 官方的云服务。题目会发送到阿里云。</translation>
    </message>
    <message>
        <source>Run models on this computer (local GPU)</source>
        <translation>在这台电脑上运行模型（本地 GPU）</translation>
    </message>
    <message>
        <source>Private and offline once downloaded; needs a GPU with about 8 GB or more.</source>
        <translation>下载后可私密、离线使用；需要约 8 GB 或更多显存的 GPU。</translation>
    </message>
    <message>
        <source>Use my own server (vLLM, Ollama…)</source>
        <translation>使用自己的服务器（vLLM、Ollama…）</translation>
    </message>
    <message>
        <source>Any server that speaks the OpenAI chat API, on this PC or your network.</source>
        <translation>任何兼容 OpenAI 聊天接口的服务器，在本机或你的网络中均可。</translation>
    </message>
</context>
<context>
    <name>_ScreenOverlay</name>
    <message>
        <source>Qwen Math snip</source>
        <translation>Qwen Math 截图</translation>
    </message>
    <message>
        <source>{width} × {height} px</source>
        <translation>{width} × {height} 像素</translation>
    </message>
</context>
</TS>
