<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>AnswerChecks</name>
    <message>
        <source>Verified by SymPy</source>
        <translation>已由 SymPy 验证</translation>
    </message>
    <message>
        <source>Contradicted</source>
        <translation>验算不符</translation>
    </message>
    <message>
        <source>Not checked</source>
        <translation>未验证</translation>
    </message>
    <message>
        <source>Show why</source>
        <translation>查看原因</translation>
    </message>
    <message>
        <source>Step checked by SymPy</source>
        <translation>此步已由 SymPy 检查</translation>
    </message>
    <message>
        <source>Wrong step: show the counterexample</source>
        <translation>此步有误：查看反例</translation>
    </message>
    <message>
        <source>1 step checked, 1 wrong</source>
        <translation>已检查 1 步，1 步有误</translation>
    </message>
    <message>
        <source>1 step checked, none wrong</source>
        <translation>已检查 1 步，没有错误</translation>
    </message>
    <message>
        <source>{checked} steps checked, {wrong} wrong</source>
        <translation>已检查 {checked} 步，{wrong} 步有误</translation>
    </message>
    <message>
        <source>{checked} steps checked, none wrong</source>
        <translation>已检查 {checked} 步，没有错误</translation>
    </message>
</context>
<context>
    <name>AnswerPane</name>
    <message>
        <source>Solution</source>
        <translation>解答</translation>
    </message>
</context>
<context>
    <name>AnswerView</name>
    <message>
        <source>Python code</source>
        <translation>Python 代码</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>输出</translation>
    </message>
    <message>
        <source>Final answer</source>
        <translation>最终答案</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Add a function, e.g. x^2 - 3</source>
        <translation>添加函数，例如 x^2 - 3</translation>
    </message>
    <message>
        <source>Plot</source>
        <translation>绘图</translation>
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
    <name>ImageLoader</name>
    <message>
        <source>The image could not be read; details are in the log.</source>
        <translation>无法读取这张图片，详细信息见日志。</translation>
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
        <source>&amp;Unload Local Models</source>
        <translation>卸载本地模型(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Export Conversation…</source>
        <translation>导出对话(&amp;E)…</translation>
    </message>
    <message>
        <source>&amp;Keyboard Shortcuts</source>
        <translation>键盘快捷键(&amp;K)</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
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
        <source>Solve or open a problem first; then it can be exported.</source>
        <translation>请先解答或打开一道题目，然后才能导出。</translation>
    </message>
    <message>
        <source>Export conversation</source>
        <translation>导出对话</translation>
    </message>
    <message>
        <source>Markdown (*.md);;Web page that works offline (*.html)</source>
        <translation>Markdown (*.md);;可离线查看的网页 (*.html)</translation>
    </message>
    <message>
        <source>The export failed: {reason}.</source>
        <translation>导出失败：{reason}。</translation>
    </message>
    <message>
        <source>Exported to {path}.</source>
        <translation>已导出到 {path}。</translation>
    </message>
    <message>
        <source>Stop the answer in progress first.</source>
        <translation>请先停止正在生成的解答。</translation>
    </message>
    <message>
        <source>Local models unloaded.</source>
        <translation>本地模型已卸载。</translation>
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
    <message>
        <source>Something went wrong inside Qwen Math; details are in the log.</source>
        <translation>Qwen Math 内部出错了，详细信息见日志。</translation>
    </message>
    <message>
        <source>Sampling {total} solutions…</source>
        <translation>正在采样 {total} 个解答…</translation>
    </message>
    <message>
        <source>{finished} of {total} samples finished</source>
        <translation>{total} 个样本中已完成 {finished} 个</translation>
    </message>
    <message>
        <source> ({failed} failed)</source>
        <translation>（{failed} 个失败）</translation>
    </message>
    <message>
        <source>{votes} of {total} samples</source>
        <translation>{total} 个样本中有 {votes} 个</translation>
    </message>
    <message>
        <source>No sample gave a final answer</source>
        <translation>没有样本给出最终答案</translation>
    </message>
    <message>
        <source>majority, shown above</source>
        <translation>多数答案，见上方</translation>
    </message>
    <message>
        <source>no final answer</source>
        <translation>无最终答案</translation>
    </message>
    <message>
        <source>agrees</source>
        <translation>一致</translation>
    </message>
    <message>
        <source>Sample {number}</source>
        <translation>样本 {number}</translation>
    </message>
    <message>
        <source>Majority answer</source>
        <translation>多数答案</translation>
    </message>
    <message>
        <source>1 sample</source>
        <translation>采样 1 次</translation>
    </message>
    <message>
        <source>{count} samples</source>
        <translation>采样 {count} 次</translation>
    </message>
    <message>
        <source>Samples</source>
        <translation>采样次数</translation>
    </message>
    <message>
        <source>Self-consistency: solve several times with sampling and show the answer most samples agree on</source>
        <translation>自洽投票：采样求解多次，显示多数样本一致的答案</translation>
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
        <source>Explain step by step (CoT)</source>
        <translation>逐步讲解 (CoT)</translation>
    </message>
    <message>
        <source>Check with Python code (TIR)</source>
        <translation>用 Python 代码检验 (TIR)</translation>
    </message>
    <message>
        <source>Allow the model&apos;s Python code to run</source>
        <translation>允许运行模型编写的 Python 代码</translation>
    </message>
    <message>
        <source>TIR runs the code in a sandbox without network or your files.</source>
        <translation>TIR 会在沙盒中运行代码，不能联网，也无法访问你的文件。</translation>
    </message>
    <message>
        <source>Same as the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <source>Keep forever</source>
        <translation>永久保留</translation>
    </message>
    <message>
        <source>Delete after {days} days</source>
        <translation>{days} 天后删除</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <source>A new language is used from the next start.</source>
        <translation>新语言将在下次启动时生效。</translation>
    </message>
    <message>
        <source>Solving mode:</source>
        <translation>求解模式：</translation>
    </message>
    <message>
        <source>Theme:</source>
        <translation>主题：</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>语言：</translation>
    </message>
    <message>
        <source>Data folder:</source>
        <translation>数据文件夹：</translation>
    </message>
    <message>
        <source>History:</source>
        <translation>历史记录：</translation>
    </message>
    <message>
        <source>Solving mode</source>
        <translation>求解模式</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>主题</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Data folder</source>
        <translation>数据文件夹</translation>
    </message>
    <message>
        <source>Open the data folder</source>
        <translation>打开数据文件夹</translation>
    </message>
    <message>
        <source>Keep history</source>
        <translation>历史记录保留时间</translation>
    </message>
    <message>
        <source>Choose a model folder or a Hugging Face model id.</source>
        <translation>请选择模型文件夹，或输入 Hugging Face 模型 ID。</translation>
    </message>
    <message>
        <source>Hugging Face model; about {vram:.1f} GB of GPU memory.</source>
        <translation>Hugging Face 模型；约需 {vram:.1f} GB 显存。</translation>
    </message>
    <message>
        <source>Hugging Face model id.</source>
        <translation>Hugging Face 模型 ID。</translation>
    </message>
    <message>
        <source>{kind}: {disk:.1f} GB on disk, about {vram:.1f} GB of GPU memory.</source>
        <translation>{kind}：占用磁盘 {disk:.1f} GB，约需 {vram:.1f} GB 显存。</translation>
    </message>
    <message>
        <source>{size:.1f} GB</source>
        <translation>{size:.1f} GB</translation>
    </message>
    <message>
        <source>{size:.0f} MB</source>
        <translation>{size:.0f} MB</translation>
    </message>
    <message>
        <source>The download failed; see the log.</source>
        <translation>下载失败，请查看日志。</translation>
    </message>
    <message>
        <source>&amp;Download</source>
        <translation>下载(&amp;D)</translation>
    </message>
    <message>
        <source>Download this model from Hugging Face</source>
        <translation>从 Hugging Face 下载此模型</translation>
    </message>
    <message>
        <source>Download progress</source>
        <translation>下载进度</translation>
    </message>
    <message>
        <source>Cancel download</source>
        <translation>取消下载</translation>
    </message>
    <message>
        <source>Cancel the download</source>
        <translation>取消下载</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>准备中…</translation>
    </message>
    <message>
        <source>Downloading {name}…</source>
        <translation>正在下载 {name}…</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <source>{done} of {total}</source>
        <translation>{done} / {total}</translation>
    </message>
    <message>
        <source>Download cancelled.</source>
        <translation>下载已取消。</translation>
    </message>
    <message>
        <source>Reader (reads the image):</source>
        <translation>识别模型（读取图片）：</translation>
    </message>
    <message>
        <source>Choose the reader&apos;s folder</source>
        <translation>选择识别模型的文件夹</translation>
    </message>
    <message>
        <source>Download the reader model</source>
        <translation>下载识别模型</translation>
    </message>
    <message>
        <source>Solver (solves the problem):</source>
        <translation>求解模型（解答题目）：</translation>
    </message>
    <message>
        <source>Choose the solver&apos;s folder</source>
        <translation>选择求解模型的文件夹</translation>
    </message>
    <message>
        <source>Download the solver model</source>
        <translation>下载求解模型</translation>
    </message>
    <message>
        <source>A folder, or an id like Qwen/…</source>
        <translation>文件夹，或形如 Qwen/… 的模型 ID</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Looking for a GPU…</source>
        <translation>正在检测 GPU…</translation>
    </message>
    <message>
        <source>Use the recommended models</source>
        <translation>使用推荐的模型</translation>
    </message>
    <message>
        <source>Device:</source>
        <translation>设备：</translation>
    </message>
    <message>
        <source>Longest answer (tokens):</source>
        <translation>解答最大长度（token 数）：</translation>
    </message>
    <message>
        <source>GPU:</source>
        <translation>GPU：</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Longest answer in tokens</source>
        <translation>解答最大长度（token 数）</translation>
    </message>
    <message>
        <source>GPU and recommended models</source>
        <translation>GPU 与推荐模型</translation>
    </message>
    <message>
        <source>Choose the model folder</source>
        <translation>选择模型文件夹</translation>
    </message>
    <message>
        <source>No CUDA GPU found. Smallest models: {names}.</source>
        <translation>未找到 CUDA GPU。最小的模型：{names}。</translation>
    </message>
    <message>
        <source>{gb:.0f} GB of GPU memory. Recommended: {names}.</source>
        <translation>显存 {gb:.0f} GB。推荐：{names}。</translation>
    </message>
    <message>
        <source>The reader turns the picture into text; the solver solves it.</source>
        <translation>识别模型把图片转成文字，求解模型负责解题。</translation>
    </message>
    <message>
        <source>Read images with:</source>
        <translation>识别图片使用：</translation>
    </message>
    <message>
        <source>Reader model</source>
        <translation>识别模型</translation>
    </message>
    <message>
        <source>Solve problems with:</source>
        <translation>求解题目使用：</translation>
    </message>
    <message>
        <source>Solver model</source>
        <translation>求解模型</translation>
    </message>
    <message>
        <source>Model:</source>
        <translation>模型：</translation>
    </message>
    <message>
        <source>Alibaba DashScope (cloud)</source>
        <translation>阿里云 DashScope（云端）</translation>
    </message>
    <message>
        <source>This computer (local models)</source>
        <translation>本机（本地模型）</translation>
    </message>
    <message>
        <source>Server: {name}</source>
        <translation>服务器：{name}</translation>
    </message>
    <message>
        <source>The server in OPENAI_BASE_URL</source>
        <translation>OPENAI_BASE_URL 中的服务器</translation>
    </message>
    <message>
        <source>Beijing (China mainland)</source>
        <translation>北京（中国内地）</translation>
    </message>
    <message>
        <source>International (Singapore)</source>
        <translation>国际（新加坡）</translation>
    </message>
    <message>
        <source>A key is saved; type here to replace it</source>
        <translation>已保存密钥；在此输入可替换</translation>
    </message>
    <message>
        <source>Paste your DashScope API key (sk-…)</source>
        <translation>粘贴你的 DashScope API 密钥（sk-…）</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>测试连接</translation>
    </message>
    <message>
        <source>The key is kept in the system keyring, never in files.</source>
        <translation>密钥保存在系统密钥环中，绝不会写入文件。</translation>
    </message>
    <message>
        <source>Region:</source>
        <translation>地域：</translation>
    </message>
    <message>
        <source>API key:</source>
        <translation>API 密钥：</translation>
    </message>
    <message>
        <source>Reader model:</source>
        <translation>识别模型：</translation>
    </message>
    <message>
        <source>Solver model:</source>
        <translation>求解模型：</translation>
    </message>
    <message>
        <source>DashScope region</source>
        <translation>DashScope 地域</translation>
    </message>
    <message>
        <source>DashScope API key</source>
        <translation>DashScope API 密钥</translation>
    </message>
    <message>
        <source>DashScope reader model</source>
        <translation>DashScope 识别模型</translation>
    </message>
    <message>
        <source>DashScope solver model</source>
        <translation>DashScope 求解模型</translation>
    </message>
    <message>
        <source>Test the DashScope connection</source>
        <translation>测试 DashScope 连接</translation>
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
        <source>Backends</source>
        <translation>后端</translation>
    </message>
    <message>
        <source>DashScope</source>
        <translation>DashScope</translation>
    </message>
    <message>
        <source>Local models</source>
        <translation>本地模型</translation>
    </message>
    <message>
        <source>Servers</source>
        <translation>服务器</translation>
    </message>
    <message>
        <source>General</source>
        <translation>常规</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>问题</translation>
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
        <source>Every server needs a name.</source>
        <translation>每个服务器都需要一个名称。</translation>
    </message>
    <message>
        <source>Two servers are called “{name}”; rename one.</source>
        <translation>有两个服务器都叫“{name}”，请重命名其中一个。</translation>
    </message>
    <message>
        <source>The base URL of “{name}” must look like http://host:8000/v1.</source>
        <translation>“{name}”的基础 URL 必须形如 http://host:8000/v1。</translation>
    </message>
    <message>
        <source>The key variable of “{name}” must be the name of an environment variable, not the key itself.</source>
        <translation>“{name}”的密钥变量必须是环境变量的名称，而不是密钥本身。</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <source>Empty server</source>
        <translation>空白服务器</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>e.g. VLLM_API_KEY (optional)</source>
        <translation>例如 VLLM_API_KEY（可选）</translation>
    </message>
    <message>
        <source>vLLM / SGLang</source>
        <translation>vLLM / SGLang</translation>
    </message>
    <message>
        <source>DashScope compatible mode</source>
        <translation>DashScope 兼容模式</translation>
    </message>
    <message>
        <source>Plain (Ollama, LM Studio)</source>
        <translation>通用（Ollama、LM Studio）</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <source>Base URL:</source>
        <translation>基础 URL：</translation>
    </message>
    <message>
        <source>Key variable:</source>
        <translation>密钥变量：</translation>
    </message>
    <message>
        <source>Server kind:</source>
        <translation>服务器类型：</translation>
    </message>
    <message>
        <source>Models:</source>
        <translation>模型：</translation>
    </message>
    <message>
        <source>Add a server</source>
        <translation>添加服务器</translation>
    </message>
    <message>
        <source>Remove the server</source>
        <translation>移除该服务器</translation>
    </message>
    <message>
        <source>Server name</source>
        <translation>服务器名称</translation>
    </message>
    <message>
        <source>Base URL</source>
        <translation>基础 URL</translation>
    </message>
    <message>
        <source>Environment variable holding the key</source>
        <translation>保存密钥的环境变量</translation>
    </message>
    <message>
        <source>Server kind</source>
        <translation>服务器类型</translation>
    </message>
    <message>
        <source>Models the server lists</source>
        <translation>服务器列出的模型</translation>
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
    <name>SnipOverlay</name>
    <message>
        <source>No screen could be shown for the snip.</source>
        <translation>没有可用于截图的屏幕。</translation>
    </message>
</context>
<context>
    <name>TirConsent</name>
    <message>
        <source>verified by SymPy</source>
        <translation>已由 SymPy 验证</translation>
    </message>
    <message>
        <source>contradicted by SymPy</source>
        <translation>SymPy 验算不符</translation>
    </message>
    <message>
        <source>The code runs in a sandbox: it sees none of your files, keys or history, has no network, cannot reach other programs, and is limited in time, memory and processes.</source>
        <translation>代码在沙箱中运行：看不到你的任何文件、密钥或历史记录，不能联网，无法接触其他程序，并受时间、内存和进程数限制。</translation>
    </message>
    <message>
        <source>The code runs in a separate process with no network and limits on time and memory, but without bubblewrap it can still read files your account can read. Install the bubblewrap package for a full sandbox.</source>
        <translation>代码在单独的进程中运行，不能联网，并受时间和内存限制；但没有 bubblewrap 时，它仍能读取你的账户可读的文件。安装 bubblewrap 软件包即可获得完整的沙箱。</translation>
    </message>
    <message>
        <source>The code runs under the macOS sandbox profile: no network, no writing outside its own folder, no reading of your home folder, limits on time and memory. Apple no longer develops that tool, so this is weaker than the sandbox on Linux.</source>
        <translation>代码在 macOS 沙箱配置下运行：不能联网，不能在自己的文件夹之外写入，不能读取你的主文件夹，并受时间和内存限制。Apple 已不再开发该工具，因此保护弱于 Linux 上的沙箱。</translation>
    </message>
    <message>
        <source>On this system the code only has limits on time, memory and processes: it is not isolated, and can read and change your files and use the network. Allow it only if you accept that.</source>
        <translation>在此系统上，代码只受时间、内存和进程数限制：它没有被隔离，可以读取和修改你的文件并联网。只有在你接受这一点时才允许运行。</translation>
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
    <name>TypedFunctions</name>
    <message>
        <source>That could not be read: {reason}</source>
        <translation>无法读取：{reason}</translation>
    </message>
    <message>
        <source>That function could not be drawn.</source>
        <translation>无法绘制该函数。</translation>
    </message>
    <message>
        <source>That function took too long to draw.</source>
        <translation>该函数绘制耗时过长。</translation>
    </message>
    <message>
        <source>That function could not be drawn just now; please try again.</source>
        <translation>暂时无法绘制该函数，请重试。</translation>
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
