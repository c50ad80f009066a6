<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="en_GB" sourcelanguage="zh_CN">
<context>
    <name>AuditLogPage</name>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="321" />
        <source>操作日志</source>
        <translation>Audit log</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="330" />
        <source>全部用户</source>
        <translation>All users</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="334" />
        <source>全部操作</source>
        <translation>All actions</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="342" />
        <source>登记号或案件编号</source>
        <translation>Reg. no. or case no.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="347" />
        <source>用户</source>
        <translation>User</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="349" />
        <source>类别</source>
        <translation>Kind</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="352" />
        <source>从</source>
        <translation>From</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="354" />
        <source>至</source>
        <translation>to</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="369" />
        <source>不限</source>
        <translation>Any</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="387" />
        <source>字段</source>
        <translation>Field</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="387" />
        <source>原值</source>
        <translation>Before</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="387" />
        <source>新值</source>
        <translation>After</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="470" />
        <source>选择一条记录，查看修改前后的内容。</source>
        <translation>Select an entry to see its values before and after.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="476" />
        <source>{0}  {1}  {2}  {3}</source>
        <translation>{0}  {1}  {2}  {3}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="480" />
        <source>原因：{0}</source>
        <translation>Reason: {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="499" />
        <source>已显示 {0} 条（向下滚动载入更早的记录）</source>
        <translation>{0} shown (scroll down for older entries)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="499" />
        <source>共 {0} 条</source>
        <translation>{0} entries</translation>
    </message>
</context>
<context>
    <name>AuditModel</name>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="201" />
        <source>时间</source>
        <translation>Time</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="201" />
        <source>操作人</source>
        <translation>User</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="201" />
        <source>操作</source>
        <translation>Action</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="201" />
        <source>对象</source>
        <translation>Subject</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="201" />
        <source>内容</source>
        <translation>Details</translation>
    </message>
</context>
<context>
    <name>BatchListWidget</name>
    <message>
        <location filename="../../reception_desk/ui/widgets/room_card.py" line="239" />
        <source>…… 另有 {0} 批</source>
        <translation>… and {0} more</translation>
    </message>
</context>
<context>
    <name>BreakdownModel</name>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="136" />
        <source>责任单位</source>
        <translation>Department</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="142" />
        <source>案件</source>
        <translation>Cases</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="143" />
        <source>交办</source>
        <translation>Handed over</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="144" />
        <source>当场解决</source>
        <translation>Resolved on the spot</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="145" />
        <source>解释说明</source>
        <translation>Explained</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="146" />
        <source>已办结</source>
        <translation>Closed</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="147" />
        <source>未办结</source>
        <translation>Not closed</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="148" />
        <source>逾期</source>
        <translation>Overdue</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="149" />
        <source>挂牌督办</source>
        <translation>Supervise</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="150" />
        <source>重复访</source>
        <translation>Repeat visit</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="151" />
        <source>按期办结率</source>
        <translation>On-time closure rate</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="152" />
        <source>参评率</source>
        <translation>Rating rate</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="153" />
        <source>满意率</source>
        <translation>Satisfaction rate</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="154" />
        <source>化解率</source>
        <translation>Resolution rate</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="161" />
        <source>合计</source>
        <translation>Total</translation>
    </message>
</context>
<context>
    <name>CalendarEditor</name>
    <message>
        <location filename="../../reception_desk/ui/widgets/calendar_editor.py" line="94" />
        <source>工作日历</source>
        <translation>Working-day calendar</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/calendar_editor.py" line="103" />
        <source>当前接访日的期限计算</source>
        <translation>Deadlines of the current reception day</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/calendar_editor.py" line="108" />
        <source>工作日（默认）</source>
        <translation>Working days (default)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/calendar_editor.py" line="110" />
        <location filename="../../reception_desk/ui/widgets/calendar_editor.py" line="385" />
        <source>自然日</source>
        <translation>Natural days</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/calendar_editor.py" line="114" />
        <source>只影响此后登记的案件；已登记案件的期限不变。</source>
        <translation>Affects cases recorded from now on; recorded cases keep their due dates.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/calendar_editor.py" line="126" />
        <source>节假日与调休</source>
        <translation>Holidays and make-up working days</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/calendar_editor.py" line="129" />
        <source>年份：</source>
        <translation>Year:</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/calendar_editor.py" line="140" />
        <source>本年安排已完整录入</source>
        <translation>This year's schedule is complete</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/calendar_editor.py" line="142" />
        <source>确认本年的放假和调休上班日期已全部录入（没有需要录入的日期时也可确认）</source>
        <translation>Confirm that all of this year's holidays and make-up working days are entered (also when there are none to enter)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/calendar_editor.py" line="156" />
        <source>日期</source>
        <translation>Date</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/calendar_editor.py" line="156" />
        <source>星期</source>
        <translation>Weekday</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/calendar_editor.py" line="156" />
        <source>类型</source>
        <translation>Kind</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/calendar_editor.py" line="156" />
        <source>名称</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/calendar_editor.py" line="156" />
        <source>来源</source>
        <translation>Source</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/calendar_editor.py" line="179" />
        <location filename="../../reception_desk/ui/widgets/calendar_editor.py" line="245" />
        <source>放假</source>
        <translation>Holiday</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/calendar_editor.py" line="180" />
        <source>上班</source>
        <translation>Working day</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/calendar_editor.py" line="183" />
        <source>名称，如 春节、国庆节调休</source>
        <translation>Name, e.g. Spring Festival, National Day make-up day</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/calendar_editor.py" line="184" />
        <source>保存此日</source>
        <translation>Save this day</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/calendar_editor.py" line="189" />
        <source>删除所选（恢复为普通周）</source>
        <translation>Remove selected (back to the plain week)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/calendar_editor.py" line="193" />
        <source>日期：</source>
        <translation>Date:</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/calendar_editor.py" line="195" />
        <source>类型：</source>
        <translation>Kind:</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/calendar_editor.py" line="197" />
        <source>名称：</source>
        <translation>Name:</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/calendar_editor.py" line="204" />
        <source>周末设为“上班”即调休上班；工作日设为“上班”即恢复为普通工作日。录入任一日期即视为本年安排已录入。</source>
        <translation>A weekend day set to 'Working day' is a make-up working day; a weekday set to 'Working day' goes back to an ordinary working day. Entering any day marks the year's schedule as entered.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/calendar_editor.py" line="236" />
        <source>周一</source>
        <translation>Mon</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/calendar_editor.py" line="237" />
        <source>周二</source>
        <translation>Tue</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/calendar_editor.py" line="238" />
        <source>周三</source>
        <translation>Wed</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/calendar_editor.py" line="239" />
        <source>周四</source>
        <translation>Thu</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/calendar_editor.py" line="240" />
        <source>周五</source>
        <translation>Fri</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/calendar_editor.py" line="241" />
        <source>周六</source>
        <translation>Sat</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/calendar_editor.py" line="242" />
        <source>周日</source>
        <translation>Sun</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/calendar_editor.py" line="244" />
        <source>国务院安排（内置数据）</source>
        <translation>State Council schedule (built in)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/calendar_editor.py" line="244" />
        <source>本单位录入</source>
        <translation>Entered by the office</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/calendar_editor.py" line="245" />
        <source>调休上班</source>
        <translation>Make-up working day</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/calendar_editor.py" line="266" />
        <source>安排已录入，来源：{0}</source>
        <translation>schedule entered, source: {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/calendar_editor.py" line="268" />
        <source>安排未录入</source>
        <translation>schedule not entered</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/calendar_editor.py" line="270" />
        <source>{0}年：工作日 {1} 天 · 放假 {2} 天 · 调休上班 {3} 天 · {4}</source>
        <translation>{0}: {1} working days · {2} holidays · {3} make-up working days · {4}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/calendar_editor.py" line="284" />
        <source>⚠ {0}年的国务院节假日安排尚未录入：工作日只按周末计算。请录入放假和调休上班的日期，或在确认本年没有需要录入的日期后点“本年安排已完整录入”。</source>
        <translation>⚠ The State Council holiday schedule for {0} has not been entered: working days skip weekends only. Enter the holidays and make-up working days, or, once sure there are none to enter, click 'This year's schedule is complete'.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/calendar_editor.py" line="294" />
        <source>{0}年{1}月{2}日 接访日：</source>
        <translation>Reception day {0}-{1}-{2}:</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/calendar_editor.py" line="296" />
        <source>尚未选择接访日</source>
        <translation>No reception day chosen</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/calendar_editor.py" line="344" />
        <source>已保存 {0}。</source>
        <translation>Saved {0}.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/calendar_editor.py" line="360" />
        <source>已删除 {0}，恢复为普通周。</source>
        <translation>Removed {0}; it is back to the plain week.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/calendar_editor.py" line="369" />
        <source>已确认 {0}年的安排已完整录入。</source>
        <translation>Confirmed that the schedule for {0} is complete.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/calendar_editor.py" line="385" />
        <source>工作日</source>
        <translation>working days</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/calendar_editor.py" line="386" />
        <source>当前接访日的期限改按{0}计算。</source>
        <translation>Deadlines of the current reception day now count in {0}.</translation>
    </message>
</context>
<context>
    <name>CallScreen</name>
    <message>
        <location filename="../../reception_desk/ui/call_screen.py" line="253" />
        <location filename="../../reception_desk/ui/call_screen.py" line="276" />
        <location filename="../../reception_desk/ui/call_screen.py" line="320" />
        <source>叫号屏</source>
        <translation>Call screen</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/call_screen.py" line="296" />
        <source>请留意叫号，听到排队号后到对应接待室接谈</source>
        <translation>Please listen for your queue number, then go to the room shown</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/call_screen.py" line="335" />
        <source>尚未创建接访日</source>
        <translation>No reception day yet</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/call_screen.py" line="343" />
        <location filename="../../reception_desk/ui/call_screen.py" line="407" />
        <source>数据库连接中断，正在重试…</source>
        <translation>Database connection lost, retrying…</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/call_screen.py" line="356" />
        <source>{0}年{1}月{2}日</source>
        <translation>{2}/{1}/{0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/call_screen.py" line="460" />
        <source>屏幕 {0}：{1}（{2}×{3}）</source>
        <translation>Screen {0}: {1} ({2}×{3})</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/call_screen.py" line="485" />
        <source>打开叫号屏</source>
        <translation>Open the call screen</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/call_screen.py" line="486" />
        <source>在哪个屏幕上全屏显示叫号屏？</source>
        <translation>Show the call screen full screen on which screen?</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/call_screen.py" line="565" />
        <source>没有屏幕 {0}：本机共有 {1} 个屏幕。</source>
        <translation>There is no screen {0}: this computer has {1} screen(s).</translation>
    </message>
</context>
<context>
    <name>CaseCorrectionDialog</name>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_correction_dialog.py" line="60" />
        <source>更正案件 {0}</source>
        <translation>Correct case {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_correction_dialog.py" line="90" />
        <location filename="../../reception_desk/ui/dialogs/case_correction_dialog.py" line="125" />
        <source>（无）</source>
        <translation>(none)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_correction_dialog.py" line="93" />
        <location filename="../../reception_desk/ui/dialogs/case_correction_dialog.py" line="191" />
        <source>诉求内容</source>
        <translation>Request</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_correction_dialog.py" line="94" />
        <location filename="../../reception_desk/ui/dialogs/case_correction_dialog.py" line="192" />
        <source>领导意见</source>
        <translation>Instruction</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_correction_dialog.py" line="95" />
        <location filename="../../reception_desk/ui/dialogs/case_correction_dialog.py" line="193" />
        <source>处理结果</source>
        <translation>Outcome</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_correction_dialog.py" line="96" />
        <location filename="../../reception_desk/ui/dialogs/case_correction_dialog.py" line="194" />
        <source>颜色分类</source>
        <translation>Colour class</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_correction_dialog.py" line="97" />
        <location filename="../../reception_desk/ui/dialogs/case_correction_dialog.py" line="195" />
        <source>主办单位</source>
        <translation>Lead department</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_correction_dialog.py" line="104" />
        <source>保存更正</source>
        <translation>Save correction</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_correction_dialog.py" line="122" />
        <source>当场解决</source>
        <translation>Resolved on the spot</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_correction_dialog.py" line="122" />
        <source>交办</source>
        <translation>Handed over</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_correction_dialog.py" line="122" />
        <source>解释说明</source>
        <translation>Explained</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_correction_dialog.py" line="125" />
        <source>绿色</source>
        <translation>Green</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_correction_dialog.py" line="125" />
        <source>黄色</source>
        <translation>Yellow</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_correction_dialog.py" line="125" />
        <source>红色</source>
        <translation>Red</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_correction_dialog.py" line="171" />
        <location filename="../../reception_desk/ui/dialogs/case_correction_dialog.py" line="186" />
        <source>已保存更正。</source>
        <translation>Correction saved.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_correction_dialog.py" line="196" />
        <source>协办单位</source>
        <translation>Co-departments</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_correction_dialog.py" line="204" />
        <source>案件 {0}</source>
        <translation>Case {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_correction_dialog.py" line="230" />
        <source>已重新载入案件 {0}（采用他人保存的内容）</source>
        <translation>Reloaded case {0} (their saved version)</translation>
    </message>
</context>
<context>
    <name>CaseDialog</name>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_dialog.py" line="175" />
        <source>案件办理</source>
        <translation>Case</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_dialog.py" line="204" />
        <source>来访人</source>
        <translation>Visitor</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_dialog.py" line="205" />
        <source>接访</source>
        <translation>Received</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_dialog.py" line="206" />
        <source>诉求</source>
        <translation>Request</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_dialog.py" line="207" />
        <source>领导意见</source>
        <translation>Instruction</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_dialog.py" line="208" />
        <source>责任单位</source>
        <translation>Department</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_dialog.py" line="209" />
        <source>期限</source>
        <translation>Due</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_dialog.py" line="210" />
        <source>办理状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_dialog.py" line="211" />
        <source>督办与重复访</source>
        <translation>Supervision, repeats</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_dialog.py" line="238" />
        <source>办理记录</source>
        <translation>History</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_dialog.py" line="253" />
        <source>保存（Ctrl+Enter）</source>
        <translation>Save (Ctrl+Enter)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_dialog.py" line="259" />
        <source>办理</source>
        <translation>Handle</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_dialog.py" line="277" />
        <source>重新打印交办单</source>
        <translation>Reprint handover slip</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_dialog.py" line="280" />
        <source>打印催办单</source>
        <translation>Print reminder notice</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_dialog.py" line="283" />
        <source>关闭（Esc）</source>
        <translation>Close (Esc)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_dialog.py" line="333" />
        <source>案件 {0}</source>
        <translation>Case {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_dialog.py" line="336" />
        <source>逾期 {0} 天</source>
        <translation>{0} days late</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_dialog.py" line="338" />
        <source>挂牌督办</source>
        <translation>Supervise</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_dialog.py" line="343" />
        <source>{0}（{1}人）  {2}  {3} {4}</source>
        <translation>{0} ({1} people)  {2}  {3} {4}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_dialog.py" line="348" />
        <source>{0}  {1}  登记号 {2}</source>
        <translation>{0}  {1}  registration {2}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_dialog.py" line="354" />
        <source>主办：{0}    协办：{1}</source>
        <translation>Lead: {0}    Co: {1}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_dialog.py" line="360" />
        <source>（原期限 {0}，已延期）</source>
        <translation> (originally {0}, extended)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_dialog.py" line="364" />
        <source>  签收人 {0}</source>
        <translation>  signed by {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_dialog.py" line="366" />
        <source>  化解：是</source>
        <translation>  Resolved: yes</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_dialog.py" line="366" />
        <source>  化解：否</source>
        <translation>  Resolved: no</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_dialog.py" line="368" />
        <source>  回访：{0}</source>
        <translation>  Follow-up: {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_dialog.py" line="392" />
        <source>未设期限</source>
        <translation>no deadline</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_dialog.py" line="394" />
        <source>挂牌督办（{0}；期限 {1}）</source>
        <translation>Supervised ({0}; until {1})</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_dialog.py" line="396" />
        <source>重复访，原案件 {0}</source>
        <translation>Repeat visit, earlier case {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_dialog.py" line="398" />
        <source>已提级核查</source>
        <translation>Escalated for review</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_dialog.py" line="413" />
        <source>只有逾期未办结的案件才打印催办单</source>
        <translation>Reminder notices are printed only for overdue open cases</translation>
    </message>
</context>
<context>
    <name>CaseStepForm</name>
    <message>
        <location filename="../../reception_desk/ui/widgets/case_step_form.py" line="87" />
        <source>签收</source>
        <translation>Sign for</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/case_step_form.py" line="88" />
        <source>反馈</source>
        <translation>Feedback</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/case_step_form.py" line="89" />
        <source>办结</source>
        <translation>Close</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/case_step_form.py" line="90" />
        <source>回访</source>
        <translation>Follow-up</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/case_step_form.py" line="91" />
        <source>延期</source>
        <translation>Extend</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/case_step_form.py" line="92" />
        <source>挂牌督办</source>
        <translation>Supervise</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/case_step_form.py" line="93" />
        <source>提级核查</source>
        <translation>Escalate</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/case_step_form.py" line="169" />
        <source>责任单位签收人姓名</source>
        <translation>Name of the department's signatory</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/case_step_form.py" line="170" />
        <source>签收人</source>
        <translation>Signed by</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/case_step_form.py" line="174" />
        <source>责任单位报告的办理情况</source>
        <translation>What the department reported</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/case_step_form.py" line="175" />
        <source>可不填（默认为操作人）</source>
        <translation>Optional (default: the operator)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/case_step_form.py" line="176" />
        <source>反馈内容</source>
        <translation>Feedback</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/case_step_form.py" line="177" />
        <source>反馈人</source>
        <translation>Reported by</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/case_step_form.py" line="183" />
        <source>是，已化解</source>
        <translation>Yes, resolved</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/case_step_form.py" line="183" />
        <source>否，未化解</source>
        <translation>No, not resolved</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/case_step_form.py" line="185" />
        <source>办结情况说明（可不填）</source>
        <translation>How it was closed (optional)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/case_step_form.py" line="186" />
        <source>化解</source>
        <translation>Resolved</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/case_step_form.py" line="187" />
        <location filename="../../reception_desk/ui/widgets/case_step_form.py" line="230" />
        <source>说明</source>
        <translation>Note</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/case_step_form.py" line="198" />
        <source>来访人的意见（可不填）</source>
        <translation>The visitor's words (optional)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/case_step_form.py" line="199" />
        <source>方式</source>
        <translation>Method</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/case_step_form.py" line="200" />
        <source>结果</source>
        <translation>Result</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/case_step_form.py" line="201" />
        <source>记录</source>
        <translation>Notes</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/case_step_form.py" line="206" />
        <source>延期理由</source>
        <translation>Reason for the extension</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/case_step_form.py" line="207" />
        <source>批准人（可不填，默认为操作人）</source>
        <translation>Approver (optional, default: the operator)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/case_step_form.py" line="208" />
        <source>新期限</source>
        <translation>New due date</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/case_step_form.py" line="209" />
        <location filename="../../reception_desk/ui/widgets/case_step_form.py" line="224" />
        <source>理由</source>
        <translation>Reason</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/case_step_form.py" line="210" />
        <source>批准人</source>
        <translation>Approved by</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/case_step_form.py" line="214" />
        <source>督办理由</source>
        <translation>Reason for supervision</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/case_step_form.py" line="215" />
        <source>设督办期限</source>
        <translation>Set a deadline</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/case_step_form.py" line="225" />
        <source>督办期限</source>
        <translation>Supervise until</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/case_step_form.py" line="229" />
        <source>可不填（默认说明原案件已办结）</source>
        <translation>Optional (default: the earlier case was closed)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/case_step_form.py" line="269" />
        <source>当前不能办理：{0}</source>
        <translation>Not possible now: {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/case_step_form.py" line="272" />
        <source>下一步：{0}</source>
        <translation>Next step: {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/case_step_form.py" line="276" />
        <source>可多次反馈；办结前均可追加。</source>
        <translation>Feedback may be given more than once until the case is closed.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/case_step_form.py" line="277" />
        <source>可再次回访，以最近一次的结果为准。</source>
        <translation>The visitor may be asked again; the latest answer counts.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/case_step_form.py" line="278" />
        <source>延期后的期限须晚于现期限，原期限保留在记录中。</source>
        <translation>The new due date must be later than the current one; the original date stays in the history.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/case_step_form.py" line="279" />
        <source>由局领导挂牌督办，督办案件在各列表中突出显示。</source>
        <translation>Put under supervision by the bureau chief; supervised cases stand out on every list.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/case_step_form.py" line="280" />
        <source>该来访人就已办结的案件再次来访：提级核查。</source>
        <translation>The visitor came back about a closed case: escalate for review one level up.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/case_step_form.py" line="330" />
        <source>请填写签收人。</source>
        <translation>Please enter who signed for it.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/case_step_form.py" line="332" />
        <source>请填写反馈内容。</source>
        <translation>Please enter the feedback.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/case_step_form.py" line="334" />
        <source>请选择是否化解。</source>
        <translation>Please choose whether it was resolved.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/case_step_form.py" line="336" />
        <source>请选择回访结果。</source>
        <translation>Please choose the follow-up result.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/case_step_form.py" line="338" />
        <source>请填写延期理由。</source>
        <translation>Please enter the reason for the extension.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/case_step_form.py" line="340" />
        <source>请填写督办理由。</source>
        <translation>Please enter the reason for supervision.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/case_step_form.py" line="341" />
        <source>请选择办理环节。</source>
        <translation>Please choose a step.</translation>
    </message>
</context>
<context>
    <name>CheckInPage</name>
    <message>
        <location filename="../../reception_desk/ui/pages/checkin_page.py" line="151" />
        <source>姓名 / 拼音首字母 / 电话 / 身份证后4位 / 登记号，回车签到</source>
        <translation>Name / pinyin initials / phone / last 4 of ID / reg. no.; Enter checks in</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/checkin_page.py" line="154" />
        <source>现场登记 (F2)</source>
        <translation>Walk-in (F2)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/checkin_page.py" line="163" />
        <location filename="../../reception_desk/ui/pages/checkin_page.py" line="360" />
        <location filename="../../reception_desk/ui/pages/checkin_page.py" line="368" />
        <source>输入后自动查找；↑↓ 选择，回车签到，Esc 清空</source>
        <translation>Type to search; ↑↓ to choose, Enter to check in, Esc to clear</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/checkin_page.py" line="217" />
        <source>签到</source>
        <translation>Check-in</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/checkin_page.py" line="302" />
        <source>找到 {0} 个批次，不能确定是哪一批：请用 ↑↓ 选定后回车签到（键入文字回到查找框）</source>
        <translation>{0} batches match, which one is it? Choose with ↑↓ and press Enter (typing goes back to the search box)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/checkin_page.py" line="358" />
        <source>最近签到（今日已签到 {0} 批）；输入姓名等查找，回车签到</source>
        <translation>Latest check-ins ({0} batches checked in today); type a name to search, Enter to check in</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/checkin_page.py" line="370" />
        <source>没有找到“{0}”。现场来访请按 F2 登记。</source>
        <translation>Nothing found for “{0}”. Press F2 to register a walk-in.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/checkin_page.py" line="372" />
        <source>找到 {0} 个批次，显示前 {1} 个</source>
        <translation>{0} batches found, showing the first {1}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/checkin_page.py" line="374" />
        <source>找到 {0} 个批次</source>
        <translation>{0} batches found</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/checkin_page.py" line="382" />
        <source>{0}人</source>
        <translation>{0} people</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/checkin_page.py" line="383" />
        <source>第{0}室</source>
        <translation>Room {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/checkin_page.py" line="383" />
        <source>未分配</source>
        <translation>Unassigned</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/checkin_page.py" line="506" />
        <source>请先勾选到场的人员。</source>
        <translation>Tick the people who are present first.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/checkin_page.py" line="581" />
        <source>勾选到场的人员（↑↓ 移动，空格勾选），回车签到所选。</source>
        <translation>Tick who is here (↑↓ to move, Space to tick), Enter checks them in.</translation>
    </message>
</context>
<context>
    <name>ConflictDialog</name>
    <message>
        <location filename="../../reception_desk/ui/dialogs/conflict_dialog.py" line="51" />
        <source>保存冲突</source>
        <translation>Save conflict</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/conflict_dialog.py" line="59" />
        <source>{0}在您编辑期间已被他人修改并保存。请逐项选择保留他人保存的内容还是您的修改，或重新载入。</source>
        <translation>{0} was changed and saved by someone else while you were editing it. Choose for each field whether to keep their saved value or your change, or reload.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/conflict_dialog.py" line="67" />
        <source>项目</source>
        <translation>Field</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/conflict_dialog.py" line="67" />
        <source>他人保存的</source>
        <translation>Their saved value</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/conflict_dialog.py" line="67" />
        <source>我的修改</source>
        <translation>My change</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/conflict_dialog.py" line="72" />
        <location filename="../../reception_desk/ui/dialogs/conflict_dialog.py" line="73" />
        <source>（空）</source>
        <translation>(empty)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/conflict_dialog.py" line="93" />
        <source>重新载入（采用他人的）</source>
        <translation>Reload (take theirs)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/conflict_dialog.py" line="95" />
        <source>合并保存</source>
        <translation>Save merged</translation>
    </message>
</context>
<context>
    <name>DatabasePasswordDialog</name>
    <message>
        <location filename="../../reception_desk/ui/dialogs/database_password.py" line="32" />
        <source>数据库密码 · 接访台</source>
        <translation>Database password · Reception Desk</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/database_password.py" line="35" />
        <source>数据库服务器 {0} 的密码（本机没有保存密码：只用于本次运行，不写入本机设置）。</source>
        <translation>Password for the database server {0} (none is stored on this computer: it is used for this run only and never written to the settings).</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/database_password.py" line="44" />
        <source>密码</source>
        <translation>Password</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/database_password.py" line="46" />
        <source>连接</source>
        <translation>Connect</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/database_password.py" line="48" />
        <source>退出</source>
        <translation>Quit</translation>
    </message>
</context>
<context>
    <name>DatabaseTabMixin</name>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_database_tab.py" line="58" />
        <source>正在使用的数据库</source>
        <translation>Database in use</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_database_tab.py" line="65" />
        <source>地址：</source>
        <translation>Address:</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_database_tab.py" line="68" />
        <source>（未设置：使用本机默认的 SQLite 文件）</source>
        <translation>(not set: the default SQLite file on this computer)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_database_tab.py" line="72" />
        <source>本机设置：</source>
        <translation>Saved on this computer:</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_database_tab.py" line="74" />
        <source>注意：已设置环境变量 {0}，它优先于本机设置。</source>
        <translation>Note: the environment variable {0} is set; it takes precedence over this setting.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_database_tab.py" line="77" />
        <source>更换数据库</source>
        <translation>Change the database</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_database_tab.py" line="82" />
        <source>单机：SQLite 文件</source>
        <translation>This computer only: an SQLite file</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_database_tab.py" line="84" />
        <source>多台电脑共用：PostgreSQL 服务器</source>
        <translation>Shared by several computers: a PostgreSQL server</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_database_tab.py" line="90" />
        <source>数据库文件的位置，如 D:\接访台\reception-desk.sqlite3</source>
        <translation>Where the database file is, e.g. D:\ReceptionDesk\reception-desk.sqlite3</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_database_tab.py" line="91" />
        <source>浏览…</source>
        <translation>Browse…</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_database_tab.py" line="96" />
        <source>postgresql://用户名:密码@服务器:5432/数据库名</source>
        <translation>postgresql://user:password@server:5432/database</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_database_tab.py" line="105" />
        <source>PostgreSQL 的密码保存在系统密钥环中，不写入本机设置；本机没有可用的密钥环时，密码不保存，每次启动时询问。</source>
        <translation>The PostgreSQL password is kept in the system keyring, never in this computer's settings; without a usable keyring it is not stored and is asked at every start.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_database_tab.py" line="116" />
        <source>测试连接</source>
        <translation>Test connection</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_database_tab.py" line="119" />
        <source>保存</source>
        <translation>Save</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_database_tab.py" line="180" />
        <source>选择或新建 SQLite 数据库文件</source>
        <translation>Choose or create an SQLite database file</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_database_tab.py" line="182" />
        <source>SQLite 数据库 (*.sqlite3 *.sqlite *.db);;所有文件 (*)</source>
        <translation>SQLite database (*.sqlite3 *.sqlite *.db);;All files (*)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_database_tab.py" line="205" />
        <location filename="../../reception_desk/ui/widgets/settings_database_tab.py" line="262" />
        <source>请先填写数据库文件或 PostgreSQL 地址。</source>
        <translation>Please fill in the database file or the PostgreSQL address first.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_database_tab.py" line="208" />
        <source>正在连接…</source>
        <translation>Connecting…</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_database_tab.py" line="227" />
        <source>空数据库，首次启动时将自动建立数据表</source>
        <translation>Empty database: the tables are created at the first start</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_database_tab.py" line="229" />
        <source>数据表版本 {0}，与本程序一致</source>
        <translation>schema version {0}, as this program expects</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_database_tab.py" line="231" />
        <source>数据表版本 {0}，启动时将自动升级到 {1}（升级前自动备份）</source>
        <translation>schema version {0}; it is upgraded to {1} at the next start (backed up first)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_database_tab.py" line="234" />
        <source>成功：{0}。{1}。</source>
        <translation>Success: {0}. {1}.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_database_tab.py" line="238" />
        <source>文件不存在：{0}。保存后，下次启动时将在此位置新建数据库。</source>
        <translation>The file does not exist: {0}. Once saved, a new database is created there at the next start.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_database_tab.py" line="240" />
        <source>该文件不是可用的 SQLite 数据库：{0}</source>
        <translation>This file is not a usable SQLite database: {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_database_tab.py" line="241" />
        <location filename="../../reception_desk/ui/widgets/settings_database_tab.py" line="267" />
        <source>数据库地址格式不正确：{0}</source>
        <translation>The database address is malformed: {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_database_tab.py" line="242" />
        <source>不支持的数据库类型“{0}”，请使用 SQLite 文件或 PostgreSQL。</source>
        <translation>Unsupported database type "{0}": use an SQLite file or PostgreSQL.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_database_tab.py" line="243" />
        <source>无法连接到数据库服务器（地址或端口有误，或服务器未启动）：{0}</source>
        <translation>Cannot reach the database server (wrong address or port, or the server is not running): {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_database_tab.py" line="244" />
        <source>用户名或密码不正确：{0}</source>
        <translation>Wrong user name or password: {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_database_tab.py" line="245" />
        <source>服务器上没有这个数据库：{0}</source>
        <translation>The server has no such database: {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_database_tab.py" line="246" />
        <source>连接超时：服务器 {0} 秒内没有响应。</source>
        <translation>Timed out: the server did not answer within {0} seconds.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_database_tab.py" line="248" />
        <source>连接失败：{0}</source>
        <translation>Connection failed: {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_database_tab.py" line="277" />
        <source>已保存，但不含密码：本机没有可用的系统密钥环，密码只保留到本次退出，下次启动时将询问密码。新的数据库将在下次启动接访台时使用。</source>
        <translation>Saved without the password: this computer has no usable system keyring, so the password is kept only until you quit and asked at the next start. The new database is used from the next start of Reception Desk.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_database_tab.py" line="282" />
        <source>已保存。新的数据库将在下次启动接访台时使用。</source>
        <translation>Saved. The new database is used from the next start of Reception Desk.</translation>
    </message>
</context>
<context>
    <name>DaysTabMixin</name>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_days_tab.py" line="51" />
        <source>接访日列表</source>
        <translation>Reception days</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_days_tab.py" line="56" />
        <location filename="../../reception_desk/ui/widgets/settings_days_tab.py" line="100" />
        <source>日期</source>
        <translation>Date</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_days_tab.py" line="56" />
        <location filename="../../reception_desk/ui/widgets/settings_days_tab.py" line="101" />
        <source>标题</source>
        <translation>Title</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_days_tab.py" line="56" />
        <location filename="../../reception_desk/ui/widgets/settings_days_tab.py" line="102" />
        <source>地点</source>
        <translation>Location</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_days_tab.py" line="56" />
        <location filename="../../reception_desk/ui/widgets/settings_days_tab.py" line="103" />
        <source>接访领导</source>
        <translation>Leaders</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_days_tab.py" line="56" />
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_days_tab.py" line="72" />
        <source>切换到此接访日</source>
        <translation>Switch to this day</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_days_tab.py" line="77" />
        <source>切换后，所有页面都显示所选接访日的数据。</source>
        <translation>After switching, every page shows the chosen day.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_days_tab.py" line="81" />
        <source>新建接访日</source>
        <translation>New reception day</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_days_tab.py" line="97" />
        <source>如：区委书记 张明、区长 王强</source>
        <translation>e.g. Party Secretary Zhang Ming, District Head Wang Qiang</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_days_tab.py" line="104" />
        <source>信访局电话</source>
        <translation>Bureau phone</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_days_tab.py" line="105" />
        <source>创建接访日</source>
        <translation>Create the day</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_days_tab.py" line="114" />
        <source>新接访日按默认方案建立 15 个接待室，可在“接待室”中修改。</source>
        <translation>A new day gets the default plan of 15 rooms; change them under "Reception room".</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_days_tab.py" line="127" />
        <source>{0}年{1}月{2}日</source>
        <translation>{2}/{1}/{0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_days_tab.py" line="131" />
        <source>当前</source>
        <translation>Current</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_days_tab.py" line="177" />
        <source>已切换到 {0}年{1}月{2}日 的接访日。</source>
        <translation>Switched to the reception day of {2}/{1}/{0}.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_days_tab.py" line="204" />
        <source>已创建 {0}年{1}月{2}日 的接访日（15 个接待室）。点“切换到此接访日”开始使用。</source>
        <translation>Created the reception day of {2}/{1}/{0} (15 rooms). Click "Switch to this day" to use it.</translation>
    </message>
</context>
<context>
    <name>DepartmentLoadModel</name>
    <message>
        <location filename="../../reception_desk/ui/pages/tracking_page.py" line="159" />
        <source>在办</source>
        <translation>Open</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/tracking_page.py" line="159" />
        <source>按期</source>
        <translation>On time</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/tracking_page.py" line="159" />
        <source>单位</source>
        <comment>short</comment>
        <translation>Dept.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/tracking_page.py" line="159" />
        <source>逾期</source>
        <comment>short</comment>
        <translation>Late</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/tracking_page.py" line="187" />
        <source>点击只看 {0} 的案件</source>
        <translation>Click to show only {0}'s cases</translation>
    </message>
</context>
<context>
    <name>DepartmentModel</name>
    <message>
        <location filename="../../reception_desk/ui/pages/print_centre_page.py" line="130" />
        <source>责任单位</source>
        <translation>Department</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/print_centre_page.py" line="130" />
        <source>主办</source>
        <translation>Lead</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/print_centre_page.py" line="130" />
        <source>协办</source>
        <translation>Co</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/print_centre_page.py" line="130" />
        <source>合计</source>
        <translation>Total</translation>
    </message>
</context>
<context>
    <name>DepartmentsModel</name>
    <message>
        <location filename="../../reception_desk/ui/models/plan_models.py" line="165" />
        <source>名称</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/plan_models.py" line="166" />
        <source>简称</source>
        <translation>Short name</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/plan_models.py" line="167" />
        <source>类型</source>
        <translation>Kind</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/plan_models.py" line="168" />
        <source>联系人</source>
        <translation>Contact</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/plan_models.py" line="169" />
        <source>联系电话</source>
        <translation>Phone</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/plan_models.py" line="170" />
        <location filename="../../reception_desk/ui/models/plan_models.py" line="201" />
        <source>启用</source>
        <translation>Active</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/plan_models.py" line="172" />
        <source>区级部门</source>
        <translation>District department</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/plan_models.py" line="172" />
        <source>乡镇（街道）</source>
        <translation>Township</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/plan_models.py" line="201" />
        <source>停用</source>
        <translation>Inactive</translation>
    </message>
</context>
<context>
    <name>DeskBatchCard</name>
    <message>
        <location filename="../../reception_desk/ui/widgets/desk_batch_card.py" line="50" />
        <source>请核对身份证</source>
        <translation>Please verify the ID card</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/desk_batch_card.py" line="82" />
        <source>撤销签到 F8</source>
        <translation>Undo check-in F8</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/desk_batch_card.py" line="84" />
        <source>撤销这一批（或其中一人）的签到，须填写原因；原排队号作废</source>
        <translation>Undo the check-in of this batch (or one person of it), with a reason; the queue number becomes void</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/desk_batch_card.py" line="85" />
        <source>换接待室 F6</source>
        <translation>Change room F6</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/desk_batch_card.py" line="87" />
        <source>调到其他接待室，须填写原因；已签到的批次在新接待室重新排号</source>
        <translation>Move to another room, with a reason; a checked-in batch gets a new queue number there</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/desk_batch_card.py" line="88" />
        <source>显示完整号码</source>
        <translation>Show full number</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/desk_batch_card.py" line="91" />
        <source>显示所选人员（未选时为带队人）的完整身份证号（须填写原因，记入操作日志，稍后自动隐藏）</source>
        <translation>Show the full ID number of the selected person (the lead when none is selected); a reason is required, it is recorded in the audit log and hidden again shortly</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/desk_batch_card.py" line="97" />
        <source>签到所选</source>
        <translation>Check in selected</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/desk_batch_card.py" line="99" />
        <location filename="../../reception_desk/ui/widgets/desk_batch_card.py" line="200" />
        <source>全部签到</source>
        <translation>Check in everyone</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/desk_batch_card.py" line="106" />
        <source>找到来访人后，这里显示批次详情：诉求、标记、同行人员；集体访可逐人勾选签到。</source>
        <translation>Once a visitor is found, the batch shows here: request, flags, companions; groups can check in person by person.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/desk_batch_card.py" line="144" />
        <source>{0}  共{1}人</source>
        <translation>{0}  ({1} people)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/desk_batch_card.py" line="147" />
        <source>{0} · 排队号 {1}</source>
        <translation>{0} · ticket {1}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/desk_batch_card.py" line="150" />
        <source>{0}（{1}）</source>
        <translation>{0} ({1})</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/desk_batch_card.py" line="152" />
        <source>尚未分配接待室</source>
        <translation>No room assigned yet</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/desk_batch_card.py" line="155" />
        <source>问题类别：{0}</source>
        <translation>Theme: {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/desk_batch_card.py" line="155" />
        <source>接待室：{0}</source>
        <translation>Room: {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/desk_batch_card.py" line="159" />
        <source>电话 {0}</source>
        <translation>Phone {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/desk_batch_card.py" line="161" />
        <source>现场登记</source>
        <translation>Walk-in registration</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/desk_batch_card.py" line="173" />
        <source>来访人员（已签到 {0}/{1}）：勾选到场的人员后点“签到所选”</source>
        <translation>Visitors ({0}/{1} checked in): tick those present, then “Check in selected”</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/desk_batch_card.py" line="210" />
        <source>（带队）</source>
        <translation> (lead)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/desk_batch_card.py" line="211" />
        <source>  ✔ 已签到</source>
        <translation>  ✔ checked in</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/desk_batch_card.py" line="200" />
        <source>其余人员签到</source>
        <translation>Check in the others</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/desk_batch_card.py" line="253" />
        <source>……共 {0} 件</source>
        <translation>… {0} in all</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/desk_batch_card.py" line="255" />
        <source>重复访：此前已有案件（原案件已办结，须提级核查）</source>
        <translation>Repeat visit: earlier cases (the earlier case is closed: escalated review)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/desk_batch_card.py" line="257" />
        <source>重复访：此前已有案件（仍在办理中）</source>
        <translation>Repeat visit: earlier cases (still being handled)</translation>
    </message>
</context>
<context>
    <name>EventsModel</name>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_dialog.py" line="100" />
        <source>时间</source>
        <translation>Time</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_dialog.py" line="100" />
        <source>环节</source>
        <translation>Step</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_dialog.py" line="100" />
        <source>经办人</source>
        <translation>By</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_dialog.py" line="100" />
        <source>内容</source>
        <translation>Details</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_dialog.py" line="127" />
        <source>接谈时当场处理</source>
        <translation>Dealt with during the session</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_dialog.py" line="129" />
        <source>交 {0} 办理，期限 {1}</source>
        <translation>Handed over to {0}, due {1}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_dialog.py" line="135" />
        <source>{0} 签收</source>
        <translation>signed by {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_dialog.py" line="137" />
        <source>化解：是</source>
        <translation>Resolved: yes</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_dialog.py" line="137" />
        <source>化解：否</source>
        <translation>Resolved: no</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_dialog.py" line="142" />
        <source>期限 {0} → {1}</source>
        <translation>Due {0} → {1}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_dialog.py" line="144" />
        <source>督办期限 {0}</source>
        <translation>Supervise until {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/case_dialog.py" line="144" />
        <source>未设</source>
        <translation>none</translation>
    </message>
</context>
<context>
    <name>FilePage</name>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="268" />
        <source>选择预登记名单文件</source>
        <translation>Choose the pre-registration file</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="269" />
        <source>支持 Excel 工作簿（.xlsx）和 CSV 文件。表头至少需要“姓名”和“反映问题及诉求”两列。</source>
        <translation>Excel workbooks (.xlsx) and CSV files. The header needs at least the columns "姓名" (name) and "反映问题及诉求" (request).</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="272" />
        <source>文件路径</source>
        <translation>File path</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="275" />
        <source>浏览…</source>
        <translation>Browse…</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="284" />
        <source>可识别的列（表头可在前30行内，列的顺序不限）：
姓名（来访人姓名）· 身份证号码 · 联系电话 · 来访人数 · 所属乡镇（街道）· 村（社区）· 问题类别 · 反映问题及诉求 · 同行人员

下一步会先逐行检查并显示结果，确认后才写入；导入在一个事务中完成，要么全部导入，要么都不导入。</source>
        <translation>Recognised columns (the header may be anywhere in the first 30 rows, in any order):
name · ID number · phone · headcount · township · village · theme · request · companions

The next step checks every row and shows the result; nothing is written until you confirm. The import is one transaction: all of it is imported, or none.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="305" />
        <source>选择预登记名单</source>
        <translation>Choose the pre-registration list</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="308" />
        <source>预登记名单 (*.xlsx *.xlsm *.csv)</source>
        <translation>Pre-registration lists (*.xlsx *.xlsm *.csv)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="308" />
        <source>所有文件 (*)</source>
        <translation>All files (*)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="326" />
        <source>这是一个文件夹，请选择其中的预登记名单文件。</source>
        <translation>This is a folder: choose the pre-registration file inside it.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="328" />
        <source>这不是普通文件（是管道、设备或套接字），无法导入。</source>
        <translation>This is not a regular file (a pipe, device or socket) and cannot be imported.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="330" />
        <source>找不到这个文件。</source>
        <translation>This file does not exist.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="333" />
        <source>请选择 .xlsx 或 .csv 文件（旧版 .xls 请先在 Excel 中另存为 .xlsx）。</source>
        <translation>Choose an .xlsx or .csv file (save an old .xls as .xlsx in Excel first).</translation>
    </message>
</context>
<context>
    <name>GroupChoiceDialog</name>
    <message>
        <location filename="../../reception_desk/ui/dialogs/checkin_dialogs.py" line="35" />
        <source>集体签到</source>
        <translation>Group check-in</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/checkin_dialogs.py" line="41" />
        <source>{0} {1} 一行 {2} 人：{3}</source>
        <translation>{0} {1}, a group of {2}: {3}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/checkin_dialogs.py" line="47" />
        <source>1  全部到齐，整批签到（回车）</source>
        <translation>1  Everyone is here, check in the whole batch (Enter)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/checkin_dialogs.py" line="49" />
        <source>2  选择到场人员…</source>
        <translation>2  Pick who is here…</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/checkin_dialogs.py" line="58" />
        <source>按 1 或回车：全部签到；按 2：勾选到场人员；Esc：取消</source>
        <translation>1 or Enter: check in everyone; 2: tick who is here; Esc: cancel</translation>
    </message>
</context>
<context>
    <name>ImportWizard</name>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="76" />
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="82" />
        <source>重复</source>
        <translation>Duplicate</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="73" />
        <source>将导入</source>
        <translation>Will import</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="74" />
        <source>将照录</source>
        <translation>As written</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="75" />
        <source>将拒绝</source>
        <translation>Will reject</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="79" />
        <source>已导入</source>
        <translation>Imported</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="80" />
        <source>已照录</source>
        <translation>As written</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="81" />
        <source>已拒绝</source>
        <translation>Rejected</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="101" />
        <source>共 {0} 行：已导入 {1} 行（其中照录待核 {2} 行），已拒绝 {3} 行，重复 {4} 行未导入。</source>
        <translation>{0} rows: {1} imported ({2} as written, to check), {3} rejected, {4} duplicates not imported. </translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="105" />
        <source>共 {0} 行：将导入 {1} 行（其中照录待核 {2} 行），将拒绝 {3} 行，重复 {4} 行将不导入。</source>
        <translation>{0} rows: {1} will be imported ({2} as written, to check), {3} will be rejected, {4} duplicates will not be imported. </translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="109" />
        <source>已导入 {0} 批 {1} 人。</source>
        <translation>{0} batches, {1} people imported.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="113" />
        <source>将导入 {0} 批 {1} 人。</source>
        <translation>{0} batches, {1} people will be imported.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="117" />
        <source>（跳过合计行 {0} 行）</source>
        <translation> ({0} total rows skipped)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="119" />
        <source>第 {0} 行：{1}</source>
        <translation>Row {0}: {1}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="126" />
        <source>Excel行号</source>
        <translation>Excel row</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="127" />
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="128" />
        <source>结论</source>
        <translation>Verdict</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="129" />
        <source>原因</source>
        <translation>Reason</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="143" />
        <source>导入报告</source>
        <translation>Import report</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="580" />
        <source>导入预登记名单</source>
        <translation>Import pre-registrations</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="584" />
        <source>下一步 &gt;</source>
        <translation>Next &gt;</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="585" />
        <source>&lt; 上一步</source>
        <translation>&lt; Back</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="586" />
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="587" />
        <source>完成</source>
        <translation>Finish</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="626" />
        <source>分配接待室</source>
        <translation>Assign rooms</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="627" />
        <source>已导入 {0} 批。现在按问题类别把尚未分配的批次自动分配到接待室吗？</source>
        <translation>{0} batches imported. Assign the batches without a room to rooms by their category now?</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="629" />
        <source>已分配或手动调整过的批次不会变动；也可以稍后在“接待室分配”页分配。</source>
        <translation>Batches already placed or moved by hand stay where they are; you can also assign later on the Room board.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="634" />
        <source>自动分配</source>
        <translation>Auto-assign</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="635" />
        <source>稍后</source>
        <translation>Later</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="655" />
        <source>正在分配接待室……</source>
        <translation>Assigning rooms…</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="660" />
        <source>自动分配接待室未完成：{0}</source>
        <translation>Rooms not assigned: {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="664" />
        <source>已自动分配 {0} 批到接待室。</source>
        <translation>{0} batches assigned to rooms.</translation>
    </message>
</context>
<context>
    <name>LanguageTabMixin</name>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_language_tab.py" line="45" />
        <source>界面语言</source>
        <translation>Interface language</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_language_tab.py" line="62" />
        <source>更改语言后，下次启动接访台时生效。</source>
        <translation>A new language takes effect at the next start of Reception Desk.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_language_tab.py" line="73" />
        <source>办公时区</source>
        <translation>Office time zone</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_language_tab.py" line="81" />
        <source>保存时区</source>
        <translation>Save time zone</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_language_tab.py" line="98" />
        <source>未知的时区“{0}”，请填写如 Asia/Shanghai 的时区名称。</source>
        <translation>Unknown time zone "{0}": enter a zone name such as Asia/Shanghai.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_language_tab.py" line="102" />
        <source>无法保存时区：{0}</source>
        <translation>Could not save the time zone: {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_language_tab.py" line="105" />
        <source>已保存：显示和打印的时间按 {0}。</source>
        <translation>Saved: times are shown and printed in {0}.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_language_tab.py" line="107" />
        <source>（环境变量 {0} 已设置，以它为准。）</source>
        <translation> (The environment variable {0} is set and takes precedence.)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_language_tab.py" line="117" />
        <source>已保存，下次启动时生效。</source>
        <translation>Saved; takes effect at the next start.</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <location filename="../../reception_desk/ui/dialogs/login_dialog.py" line="85" />
        <source>登录 · 接访台</source>
        <translation>Log in · Reception Desk</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/login_dialog.py" line="93" />
        <source>请登录</source>
        <translation>Please log in</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/login_dialog.py" line="100" />
        <source>如 desk1</source>
        <translation>e.g. desk1</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/login_dialog.py" line="108" />
        <source>用户名</source>
        <translation>User name</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/login_dialog.py" line="109" />
        <source>密码</source>
        <translation>Password</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/login_dialog.py" line="112" />
        <source>登录</source>
        <translation>Log in</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/login_dialog.py" line="114" />
        <source>退出</source>
        <translation>Quit</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/login_dialog.py" line="145" />
        <source>请输入用户名。</source>
        <translation>Enter the user name.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/login_dialog.py" line="149" />
        <source>请输入密码。</source>
        <translation>Enter the password.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/login_dialog.py" line="176" />
        <source>正在验证…</source>
        <translation>Checking…</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../reception_desk/ui/main_window.py" line="64" />
        <location filename="../../reception_desk/ui/main_window.py" line="154" />
        <source>接访台</source>
        <translation>Reception Desk</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/main_window.py" line="79" />
        <source>连接中断，正在重新连接…</source>
        <translation>Connection lost, reconnecting…</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/main_window.py" line="105" />
        <source>打开叫号屏…</source>
        <translation>Open call screen…</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/main_window.py" line="111" />
        <source>正在打开数据库…</source>
        <translation>Opening the database…</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/main_window.py" line="114" />
        <source>正在载入…</source>
        <translation>Loading…</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/main_window.py" line="125" />
        <source>数据库：{0}    操作人：{1}</source>
        <translation>Database: {0}    User: {1}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/main_window.py" line="243" />
        <source>接访台 · 尚未创建接访日</source>
        <translation>Reception Desk · no reception day yet</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/main_window.py" line="244" />
        <source>请在“设置”中创建接访日，或导入预登记名单</source>
        <translation>Create a reception day under Settings, or import the pre-registrations</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/main_window.py" line="251" />
        <source>{0}年{1}月{2}日  ·  {3}  ·  {4}</source>
        <translation>{2}/{1}/{0}  ·  {3}  ·  {4}</translation>
    </message>
</context>
<context>
    <name>MoveReasonDialog</name>
    <message>
        <location filename="../../reception_desk/ui/pages/room_board_page.py" line="69" />
        <source>调整接待室</source>
        <translation>Change room</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_board_page.py" line="75" />
        <source>调整原因（必填）：</source>
        <translation>Reason (required):</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_board_page.py" line="78" />
        <source>例如：集体访需要大房间</source>
        <translation>e.g. collective visit needs a large room</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_board_page.py" line="82" />
        <source>平衡各室候谈</source>
        <translation>Balance the waiting</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_board_page.py" line="83" />
        <source>集体访需要大房间</source>
        <translation>Collective visit needs a large room</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_board_page.py" line="84" />
        <source>更符合问题类别</source>
        <translation>Better fits the theme</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_board_page.py" line="85" />
        <source>领导指定</source>
        <translation>Leader's decision</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_board_page.py" line="93" />
        <source>确定调整</source>
        <translation>Move</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_board_page.py" line="94" />
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
</context>
<context>
    <name>MoveRoomDialog</name>
    <message>
        <location filename="../../reception_desk/ui/dialogs/checkin_dialogs.py" line="162" />
        <source>调整接待室</source>
        <translation>Change room</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/checkin_dialogs.py" line="164" />
        <source>将 {0} {1} 调到其他接待室。已签到的批次在新接待室重新取得排队号，排在该室已候谈的批次之后。</source>
        <translation>Move {0} {1} to another room. A checked-in batch gets a new queue number there, after the batches already waiting.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/checkin_dialogs.py" line="166" />
        <source>确定调整</source>
        <translation>Move</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/checkin_dialogs.py" line="167" />
        <source>例如：来访人行动不便，就近安排</source>
        <translation>e.g. the visitor has difficulty walking, a nearer room</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/checkin_dialogs.py" line="176" />
        <source>调至：</source>
        <translation>Move to:</translation>
    </message>
</context>
<context>
    <name>OutcomeForm</name>
    <message>
        <location filename="../../reception_desk/ui/widgets/outcome_form.py" line="94" />
        <source>来访人反映的问题（已按登记内容预填，可修改）</source>
        <translation>The visitor's matter (prefilled from the registration, editable)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/outcome_form.py" line="99" />
        <source>领导当场的意见或批示，如：请区人社局三日内核实欠薪情况并答复</source>
        <translation>The leader's instruction, e.g. Human Resources Bureau to verify the unpaid wages within three days and reply</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/outcome_form.py" line="104" />
        <source>当场解决</source>
        <translation>Resolved on the spot</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/outcome_form.py" line="104" />
        <source>交办</source>
        <translation>Handed over</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/outcome_form.py" line="104" />
        <source>解释说明</source>
        <translation>Explained</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/outcome_form.py" line="122" />
        <source>输入或选择主办单位</source>
        <translation>Type or choose the lead department</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/outcome_form.py" line="136" />
        <source>筛选协办单位</source>
        <translation>Filter co-departments</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/outcome_form.py" line="149" />
        <source>绿色 1日</source>
        <translation>Green 1 day</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/outcome_form.py" line="149" />
        <source>黄色 3日</source>
        <translation>Yellow 3 days</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/outcome_form.py" line="149" />
        <source>红色 7日</source>
        <translation>Red 7 days</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/outcome_form.py" line="169" />
        <source>提级核查（原案件已办结，重复来访）</source>
        <translation>Escalated review (the earlier case is closed and the visitor came back)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/outcome_form.py" line="177" />
        <source>保存 Ctrl+S</source>
        <translation>Save Ctrl+S</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/outcome_form.py" line="179" />
        <source>保存接谈结果并生成案件编号（Ctrl+S）</source>
        <translation>Save the outcome and create the case number (Ctrl+S)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/outcome_form.py" line="189" />
        <source>诉求</source>
        <translation>Request</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/outcome_form.py" line="192" />
        <location filename="../../reception_desk/ui/widgets/outcome_form.py" line="564" />
        <source>领导意见 / 批示</source>
        <translation>Leader's instruction</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/outcome_form.py" line="200" />
        <source>处理结果</source>
        <translation>Outcome</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/outcome_form.py" line="202" />
        <source>主办单位</source>
        <translation>Lead department</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/outcome_form.py" line="204" />
        <source>协办单位</source>
        <translation>Co-departments</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/outcome_form.py" line="211" />
        <source>颜色分类</source>
        <translation>Colour class</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/outcome_form.py" line="281" />
        <source>……共 {0} 件</source>
        <translation>… {0} in all</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/outcome_form.py" line="282" />
        <source>重复访：此前已有案件</source>
        <translation>Repeat visit: earlier cases of this person</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/outcome_form.py" line="313" />
        <source>常用单位</source>
        <translation>Suggested departments</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/outcome_form.py" line="316" />
        <source>其他单位</source>
        <translation>Other departments</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/outcome_form.py" line="449" />
        <source>当前没有接谈中的批次。</source>
        <translation>No batch is in session.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/outcome_form.py" line="451" />
        <source>请填写诉求。</source>
        <translation>Please fill in the request.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/outcome_form.py" line="454" />
        <source>请选择处理结果。</source>
        <translation>Please choose the outcome.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/outcome_form.py" line="456" />
        <source>当场解决须填写处理意见（领导意见 / 批示），写明是怎样解决的。</source>
        <translation>Resolved on the spot needs the instruction: write how it was resolved.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/outcome_form.py" line="459" />
        <source>主办单位“{0}”不在单位目录中，请从列表中选择。</source>
        <translation>The lead department "{0}" is not in the directory; please choose one from the list.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/outcome_form.py" line="461" />
        <source>交办须选择主办单位。</source>
        <translation>A handed-over case needs a lead department.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/outcome_form.py" line="463" />
        <source>交办须选择颜色分类（绿色1日、黄色3日、红色7日反馈）。</source>
        <translation>A handed-over case needs a colour class (feedback: green 1 day, yellow 3 days, red 7 days).</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/outcome_form.py" line="465" />
        <source>选择了协办单位时，须同时选择主办单位。</source>
        <translation>With co-departments chosen, a lead department is needed too.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/outcome_form.py" line="544" />
        <source>已选：{0}</source>
        <translation>Chosen: {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/outcome_form.py" line="544" />
        <source>未选协办单位</source>
        <translation>No co-department chosen</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/outcome_form.py" line="549" />
        <source>选择颜色后显示反馈期限</source>
        <translation>Choose a colour to see the feedback deadline</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/outcome_form.py" line="564" />
        <source>处理意见（当场解决必填）</source>
        <translation>Instruction (required when resolved on the spot)</translation>
    </message>
</context>
<context>
    <name>PasswordDialog</name>
    <message>
        <location filename="../../reception_desk/ui/dialogs/login_dialog.py" line="189" />
        <source>修改密码</source>
        <translation>Change password</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/login_dialog.py" line="189" />
        <source>重置密码</source>
        <translation>Reset password</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/login_dialog.py" line="204" />
        <source>用户</source>
        <translation>User</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/login_dialog.py" line="206" />
        <source>原密码</source>
        <translation>Old password</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/login_dialog.py" line="207" />
        <source>新密码</source>
        <translation>New password</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/login_dialog.py" line="208" />
        <source>再输入一次</source>
        <translation>Again</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/login_dialog.py" line="214" />
        <source>保存</source>
        <translation>Save</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/login_dialog.py" line="216" />
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/login_dialog.py" line="228" />
        <source>两次输入的新密码不一致。</source>
        <translation>The two new passwords differ.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/login_dialog.py" line="231" />
        <source>请输入原密码。</source>
        <translation>Enter the old password.</translation>
    </message>
</context>
<context>
    <name>PdfPreviewDialog</name>
    <message>
        <location filename="../../reception_desk/ui/printing/preview_dialog.py" line="86" />
        <source>打印预览 — {0}</source>
        <translation>Print preview — {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/printing/preview_dialog.py" line="149" />
        <source>适合宽度</source>
        <translation>Fit width</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/printing/preview_dialog.py" line="150" />
        <source>整页</source>
        <translation>Whole page</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/printing/preview_dialog.py" line="153" />
        <source>缩放（Ctrl+加号 / Ctrl+减号）</source>
        <translation>Zoom (Ctrl+Plus / Ctrl+Minus)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/printing/preview_dialog.py" line="159" />
        <source>缩放：</source>
        <translation>Zoom:</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/printing/preview_dialog.py" line="165" />
        <source>打印…  Ctrl+P</source>
        <translation>Print…  Ctrl+P</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/printing/preview_dialog.py" line="167" />
        <source>选择打印机并打印（Ctrl+P）</source>
        <translation>Choose a printer and print (Ctrl+P)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/printing/preview_dialog.py" line="170" />
        <source>另存为 PDF…  Ctrl+S</source>
        <translation>Save as PDF…  Ctrl+S</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/printing/preview_dialog.py" line="174" />
        <source>关闭  Esc</source>
        <translation>Close  Esc</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/printing/preview_dialog.py" line="211" />
        <source>无法读取该 PDF 文件</source>
        <translation>Cannot read this PDF file</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/printing/preview_dialog.py" line="213" />
        <source>正在载入…</source>
        <translation>Loading…</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/printing/preview_dialog.py" line="216" />
        <source>第 {0} 页 / 共 {1} 页</source>
        <translation>Page {0} of {1}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/printing/preview_dialog.py" line="263" />
        <source>另存为 PDF</source>
        <translation>Save as PDF</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/printing/preview_dialog.py" line="263" />
        <source>PDF 文件 (*.pdf)</source>
        <translation>PDF files (*.pdf)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/printing/preview_dialog.py" line="274" />
        <source>无法保存</source>
        <translation>Could not save</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/printing/preview_dialog.py" line="278" />
        <source>已保存到 {0}</source>
        <translation>Saved to {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/printing/preview_dialog.py" line="306" />
        <source>打印 — {0}</source>
        <translation>Print — {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/printing/preview_dialog.py" line="344" />
        <source>无法开始打印：打印机不可用或输出文件无法写入。</source>
        <translation>Cannot start printing: the printer is not available or the output file cannot be written.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/printing/preview_dialog.py" line="348" />
        <source>打印机拒绝了新的一页。</source>
        <translation>The printer refused a new page.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/printing/preview_dialog.py" line="388" />
        <source>正在发送到打印机…</source>
        <translation>Sending to the printer…</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/printing/preview_dialog.py" line="388" />
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/printing/preview_dialog.py" line="390" />
        <source>打印</source>
        <translation>Print</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/printing/preview_dialog.py" line="407" />
        <source>已发送 {0} 页到打印机。</source>
        <translation>{0} page(s) sent to the printer.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/printing/preview_dialog.py" line="411" />
        <source>打印失败</source>
        <translation>Printing failed</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/printing/preview_dialog.py" line="421" />
        <source>打印已取消。</source>
        <translation>Printing cancelled.</translation>
    </message>
</context>
<context>
    <name>PlanTabsMixin</name>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_plan_tabs.py" line="72" />
        <source>双击单元格修改，回车确认后立即保存。主题决定自动分配时哪些批次进入该室。</source>
        <translation>Double-click a cell to edit; Enter saves at once. The theme decides which batches the automatic assignment sends to the room.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_plan_tabs.py" line="152" />
        <source>该行已不存在，已重新载入。</source>
        <translation>The row no longer exists; reloaded.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_plan_tabs.py" line="161" />
        <source>已保存。</source>
        <translation>Saved.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_plan_tabs.py" line="170" />
        <source>第{0}接待室</source>
        <translation>Room {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_plan_tabs.py" line="170" />
        <source>单位“{0}”</source>
        <translation>Department “{0}”</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_plan_tabs.py" line="176" />
        <source>已重新载入{0}（采用他人保存的内容）</source>
        <translation>Reloaded {0} (their saved version)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_plan_tabs.py" line="194" />
        <source>已重新载入（采用他人保存的内容）。</source>
        <translation>Reloaded (their saved version).</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_plan_tabs.py" line="209" />
        <source>已合并保存。</source>
        <translation>Saved the merge.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_plan_tabs.py" line="214" />
        <location filename="../../reception_desk/ui/widgets/settings_plan_tabs.py" line="221" />
        <source>名称</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_plan_tabs.py" line="215" />
        <source>主题</source>
        <translation>Theme</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_plan_tabs.py" line="216" />
        <source>主持领导</source>
        <translation>Host leader</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_plan_tabs.py" line="217" />
        <source>地点</source>
        <translation>Location</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_plan_tabs.py" line="218" />
        <source>容量（人）</source>
        <translation>Capacity (people)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_plan_tabs.py" line="222" />
        <location filename="../../reception_desk/ui/widgets/settings_plan_tabs.py" line="275" />
        <source>简称</source>
        <translation>Short name</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_plan_tabs.py" line="223" />
        <location filename="../../reception_desk/ui/widgets/settings_plan_tabs.py" line="282" />
        <source>联系人</source>
        <translation>Contact</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_plan_tabs.py" line="224" />
        <location filename="../../reception_desk/ui/widgets/settings_plan_tabs.py" line="285" />
        <source>联系电话</source>
        <translation>Phone</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_plan_tabs.py" line="225" />
        <location filename="../../reception_desk/ui/widgets/settings_plan_tabs.py" line="233" />
        <source>启用</source>
        <translation>Active</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_plan_tabs.py" line="233" />
        <source>停用</source>
        <translation>Inactive</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_plan_tabs.py" line="245" />
        <source>按名称筛选</source>
        <translation>Filter by name</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_plan_tabs.py" line="265" />
        <source>停用的单位不再出现在接待室的选择中，已有案件不受影响。</source>
        <translation>Inactive departments are no longer offered in the rooms; existing cases keep them.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_plan_tabs.py" line="267" />
        <source>添加单位</source>
        <translation>Add a department</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_plan_tabs.py" line="272" />
        <source>全称（必填）</source>
        <translation>Full name (required)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_plan_tabs.py" line="278" />
        <source>区级部门</source>
        <translation>District department</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_plan_tabs.py" line="279" />
        <source>乡镇（街道）</source>
        <translation>Township</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_plan_tabs.py" line="288" />
        <source>（不设为常用）</source>
        <translation>(not suggested for a theme)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_plan_tabs.py" line="290" />
        <source>常用于：{0}</source>
        <translation>Suggested for: {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_plan_tabs.py" line="291" />
        <source>添加</source>
        <translation>Add</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_plan_tabs.py" line="332" />
        <source>请填写单位全称。</source>
        <translation>Please fill in the full name.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_plan_tabs.py" line="356" />
        <source>已添加“{0}”。</source>
        <translation>Added "{0}".</translation>
    </message>
</context>
<context>
    <name>PreviewPage</name>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="345" />
        <source>预览：逐行检查结果</source>
        <translation>Preview: the verdict on every row</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="347" />
        <source>“将导入”和“将照录”的行会写入名单（照录的行请核对提示）；“将拒绝”和“重复”的行不导入。</source>
        <translation>Rows marked “Will import” and “As written” go into the list (check the notes on rows kept as written); “Will reject” and “Duplicate” rows are not imported. </translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="348" />
        <source>确认无误后点“开始导入”。</source>
        <translation>When it looks right, click “Start import”.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="351" />
        <source>开始导入</source>
        <translation>Start import</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="363" />
        <source>只看需要注意的行</source>
        <translation>Only rows that need a look</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="379" />
        <source>正在读取并检查“{0}”……</source>
        <translation>Reading and checking "{0}"…</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="407" />
        <source>没有可导入的行。</source>
        <translation>There is no row to import.</translation>
    </message>
</context>
<context>
    <name>PrintCentrePage</name>
    <message>
        <location filename="../../reception_desk/ui/pages/print_centre_page.py" line="188" />
        <source>打印中心</source>
        <translation>Print centre</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/print_centre_page.py" line="204" />
        <source>交办清单（按责任单位）</source>
        <translation>Department bundles (by responsible department)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/print_centre_page.py" line="206" />
        <source>每个单位一份签收清单，后附该单位主办或协办的全部交办单。可按住 Ctrl 或 Shift 选择多个单位。</source>
        <translation>For each department a list to sign for, followed by every slip it leads or co-handles. Hold Ctrl or Shift to select several departments.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/print_centre_page.py" line="215" />
        <source>筛选单位名称</source>
        <translation>Filter departments</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/print_centre_page.py" line="217" />
        <source>全选</source>
        <translation>Select all</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/print_centre_page.py" line="220" />
        <source>清除选择</source>
        <translation>Clear selection</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/print_centre_page.py" line="257" />
        <source>预览所选单位（合并为一个 PDF）  Ctrl+P</source>
        <translation>Preview the selected departments (one PDF)  Ctrl+P</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/print_centre_page.py" line="259" />
        <source>所选单位的交办清单依次合并为一个 PDF，预览后打印或保存</source>
        <translation>The selected departments' bundles one after another in one PDF; preview, then print or save</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/print_centre_page.py" line="260" />
        <source>每个单位分别保存为 PDF…</source>
        <translation>Save one PDF per department…</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/print_centre_page.py" line="262" />
        <source>选择文件夹，所选单位各生成一个 PDF 文件，便于分别发送</source>
        <translation>Choose a folder: one PDF file per selected department, to send to each</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/print_centre_page.py" line="276" />
        <source>当日文档</source>
        <translation>Documents of the day</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/print_centre_page.py" line="297" />
        <source>全部交办单</source>
        <translation>All handover slips</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/print_centre_page.py" line="298" />
        <source>当日每件交办案件一张交办单，按案件编号合并为一个 PDF。</source>
        <translation>One slip for each case handed over today, in case number order, in one PDF.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/print_centre_page.py" line="303" />
        <source>预登记名单</source>
        <translation>Pre-registration list</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/print_centre_page.py" line="304" />
        <source>当日全部预登记和现场登记批次，身份证号和电话已部分隐藏。</source>
        <translation>Every pre-registered and walk-in batch of the day; ID and phone numbers partly hidden.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/print_centre_page.py" line="309" />
        <source>当日汇总</source>
        <translation>Day summary</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/print_centre_page.py" line="310" />
        <source>按接待室、问题类别、处理结果、颜色和责任单位统计的当日接访情况。</source>
        <translation>The day counted by room, theme, outcome, colour and responsible department.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/print_centre_page.py" line="315" />
        <source>全部接待室安排表</source>
        <translation>All room schedules</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/print_centre_page.py" line="316" />
        <source>每个接待室一份候谈安排，供接待领导使用。</source>
        <translation>Each room's queue on its own sheet, for the host.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/print_centre_page.py" line="321" />
        <source>接访日简报</source>
        <translation>Day bulletin</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/print_centre_page.py" line="322" />
        <source>一页纸：当日接访情况、四项办理指标、按类别和接待室的数字、督办和逾期案件。</source>
        <translation>One page: the day's reception, the four handling rates, the numbers by theme and room, supervised and overdue cases.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/print_centre_page.py" line="327" />
        <source>催办单（全部逾期案件）</source>
        <translation>Reminder notices (all overdue cases)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/print_centre_page.py" line="328" />
        <source>截至今日逾期未办结的交办案件，每件一页，发主办单位催办。</source>
        <translation>Every handed-over case overdue today, one page each, sent to the lead department.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/print_centre_page.py" line="333" />
        <source>办理情况统计表</source>
        <translation>Figures report</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/print_centre_page.py" line="334" />
        <source>所选期间各责任单位的案件数、办结、逾期和四项办理指标（默认本月）。</source>
        <translation>Per department for the chosen period: cases, closed, overdue and the four rates (this month by default).</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/print_centre_page.py" line="351" />
        <source>预览 / 打印</source>
        <translation>Preview / print</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/print_centre_page.py" line="381" />
        <source>期间</source>
        <translation>Period</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/print_centre_page.py" line="383" />
        <source>至</source>
        <translation>to</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/print_centre_page.py" line="406" />
        <source>尚未创建接访日。</source>
        <translation>No reception day has been created yet.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/print_centre_page.py" line="421" />
        <source>{0}年{1}月{2}日 {3}：登记 {4} 批，已录案件 {5} 件，其中交办 {6} 件，涉及 {7} 个责任单位。</source>
        <translation>{2}/{1}/{0} {3}: {4} batches registered, {5} cases recorded, {6} of them handed over to {7} departments.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/print_centre_page.py" line="434" />
        <location filename="../../reception_desk/ui/pages/print_centre_page.py" line="439" />
        <source>{0} 件</source>
        <translation>{0} cases</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/print_centre_page.py" line="435" />
        <source>{0} 批</source>
        <translation>{0} batches</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/print_centre_page.py" line="437" />
        <source>{0} 个接待室</source>
        <translation>{0} rooms</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/print_centre_page.py" line="481" />
        <source>已选 {0} 个单位，共 {1} 件交办单（协办的案件在各单位中各印一份）。</source>
        <translation>{0} department(s) selected, {1} slip(s) in all (a co-handled case is printed once for each department).</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/print_centre_page.py" line="486" />
        <source>今天还没有交办案件。</source>
        <translation>No case has been handed over today yet.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/print_centre_page.py" line="488" />
        <source>请选择一个或多个单位。</source>
        <translation>Select one or more departments.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/print_centre_page.py" line="511" />
        <source>选择保存交办清单的文件夹</source>
        <translation>Choose the folder for the department bundles</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/print_centre_page.py" line="524" />
        <source>交办清单</source>
        <translation>Department bundles</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/print_centre_page.py" line="533" />
        <source>交办清单已保存</source>
        <translation>Department bundles saved</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/print_centre_page.py" line="534" />
        <source>已将 {0} 个单位的交办清单分别保存到：
{1}</source>
        <translation>The bundles of {0} department(s) were saved, one file each, to:
{1}</translation>
    </message>
</context>
<context>
    <name>ProgressPage</name>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="422" />
        <source>正在导入</source>
        <translation>Importing</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="423" />
        <source>全部行在一个事务中写入：中途取消则整批不导入。</source>
        <translation>All rows are written in one transaction: cancelling midway imports nothing.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="427" />
        <source>%v / %m 批</source>
        <translation>%v / %m batches</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="428" />
        <source>准备中……</source>
        <translation>Preparing…</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="449" />
        <source>正在取消，撤销已写入的部分……</source>
        <translation>Cancelling, rolling back what was written…</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="464" />
        <source>已写入 {0} / {1} 批……</source>
        <translation>{0} / {1} batches written…</translation>
    </message>
</context>
<context>
    <name>QueueModel</name>
    <message>
        <location filename="../../reception_desk/ui/models/room_queue_model.py" line="37" />
        <source>排队号</source>
        <translation>Queue no.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/room_queue_model.py" line="38" />
        <source>批次</source>
        <translation>Batch</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/room_queue_model.py" line="39" />
        <source>来访人</source>
        <translation>Visitor</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/room_queue_model.py" line="40" />
        <source>人数</source>
        <translation>People</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/room_queue_model.py" line="41" />
        <source>标记</source>
        <translation>Flags</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/room_queue_model.py" line="42" />
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/room_queue_model.py" line="74" />
        <source>候谈</source>
        <translation>Waiting</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/room_queue_model.py" line="74" />
        <source>未签到</source>
        <translation>Not checked in</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/room_queue_model.py" line="83" />
        <source>尚未到登记台签到，不能叫号</source>
        <translation>Not yet checked in at the desk; cannot be called</translation>
    </message>
</context>
<context>
    <name>ReasonDialog</name>
    <message>
        <location filename="../../reception_desk/ui/dialogs/checkin_dialogs.py" line="89" />
        <source>原因（必填）：</source>
        <translation>Reason (required):</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/checkin_dialogs.py" line="97" />
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
</context>
<context>
    <name>RegistrationDialog</name>
    <message>
        <location filename="../../reception_desk/ui/dialogs/registration_dialog.py" line="69" />
        <source>可不填（没有证件时留空）</source>
        <translation>Optional (leave empty when there is no ID card)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/registration_dialog.py" line="72" />
        <source>原登记的号码未通过校验，保存后仍标记待核</source>
        <translation>The number on file fails its check: it stays flagged "check ID"</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/registration_dialog.py" line="79" />
        <source>男</source>
        <translation>male</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/registration_dialog.py" line="81" />
        <source>女</source>
        <translation>female</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/registration_dialog.py" line="84" />
        <source>✓ 校验通过</source>
        <translation>✓ Valid</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/registration_dialog.py" line="85" />
        <source>✓ 校验通过（{0}年{1}月{2}日出生，{3}）</source>
        <translation>✓ Valid (born {2}/{1}/{0}, {3})</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/registration_dialog.py" line="92" />
        <source>号码像是被表格存成了数字，后几位已丢失，请按证件原件重新输入</source>
        <translation>A spreadsheet stored this as a number and lost the last digits: type it again from the ID card</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/registration_dialog.py" line="98" />
        <source>请重新输入完整的身份证号</source>
        <translation>Type the whole ID number again</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/registration_dialog.py" line="101" />
        <source>格式不对：应为18位数字，末位可为X（已输入{0}位）</source>
        <translation>Wrong format: 18 digits, the last may be X ({0} typed)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/registration_dialog.py" line="106" />
        <source>出生日期不存在，将标记待核</source>
        <translation>The birth date does not exist: will be flagged "check ID"</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/registration_dialog.py" line="107" />
        <source>校验位不符，将标记待核</source>
        <translation>Check digit does not match: will be flagged "check ID"</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/registration_dialog.py" line="113" />
        <source>可不填</source>
        <translation>Optional</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/registration_dialog.py" line="118" />
        <source>无法识别的电话号码（手机11位；座机可带区号，如0570-3023456）</source>
        <translation>Not a phone number (mobile: 11 digits; landline with area code, e.g. 0570-3023456)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/registration_dialog.py" line="156" />
        <source>无法识别“{0}”（应为身份证号或电话）</source>
        <translation>Cannot read "{0}" (expected an ID number or a phone)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/registration_dialog.py" line="163" />
        <source>缺少姓名</source>
        <translation>Name missing</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/registration_dialog.py" line="199" />
        <source>编辑登记 {0}</source>
        <translation>Edit registration {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/registration_dialog.py" line="199" />
        <source>编辑登记</source>
        <translation>Edit registration</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/registration_dialog.py" line="201" />
        <source>现场登记</source>
        <translation>Walk-in registration</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/registration_dialog.py" line="201" />
        <source>新增预登记</source>
        <translation>New pre-registration</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/registration_dialog.py" line="225" />
        <source>领头人姓名</source>
        <translation>Name of the lead visitor</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/registration_dialog.py" line="226" />
        <location filename="../../reception_desk/ui/dialogs/registration_dialog.py" line="439" />
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/registration_dialog.py" line="227" />
        <source>18位，末位可为X</source>
        <translation>18 characters, the last may be X</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/registration_dialog.py" line="229" />
        <source>显示完整号码</source>
        <translation>Show full number</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/registration_dialog.py" line="232" />
        <source>显示完整的身份证号（须填写原因，记入操作日志，稍后自动隐藏）</source>
        <translation>Show the full ID number (a reason is required; recorded in the audit log; hidden again shortly)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/registration_dialog.py" line="239" />
        <source>身份证号</source>
        <translation>ID number</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/registration_dialog.py" line="240" />
        <source>手机或座机</source>
        <translation>Mobile or landline</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/registration_dialog.py" line="242" />
        <source>电话</source>
        <translation>Phone</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/registration_dialog.py" line="247" />
        <source>每行一人：姓名 [身份证号] [电话]，例如：
李秀英 330803195803120025 13905701234</source>
        <translation>One person per line: name [ID number] [phone], e.g.
李秀英 330803195803120025 13905701234</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/registration_dialog.py" line="253" />
        <source>同行人员</source>
        <translation>Companions</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/registration_dialog.py" line="258" />
        <source> 人</source>
        <translation> people</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/registration_dialog.py" line="264" />
        <source>来访人数</source>
        <translation>Headcount</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/registration_dialog.py" line="275" />
        <source>问题类别</source>
        <translation>Theme</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/registration_dialog.py" line="284" />
        <source>选择或输入乡镇（街道）</source>
        <translation>Choose or type the township</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/registration_dialog.py" line="285" />
        <source>村（社区）</source>
        <translation>Village</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/registration_dialog.py" line="289" />
        <source>乡镇 / 村</source>
        <translation>Township / village</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/registration_dialog.py" line="293" />
        <source>反映的问题及诉求（来访人原话）</source>
        <translation>The matter and the request (in the visitor's words)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/registration_dialog.py" line="296" />
        <location filename="../../reception_desk/ui/dialogs/registration_dialog.py" line="441" />
        <source>诉求</source>
        <translation>Request</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/registration_dialog.py" line="304" />
        <source>保存</source>
        <translation>Save</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/registration_dialog.py" line="306" />
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/registration_dialog.py" line="413" />
        <source>第{0}行 {1}：{2}</source>
        <translation>Line {0} {1}: {2}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/registration_dialog.py" line="416" />
        <source>……另有{0}处</source>
        <translation>… and {0} more</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/registration_dialog.py" line="420" />
        <source>✓ 同行{0}人：{1}</source>
        <translation>✓ {0} companions: {1}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/registration_dialog.py" line="423" />
        <source>没有同行人员时留空</source>
        <translation>Leave empty when the visitor comes alone</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/registration_dialog.py" line="428" />
        <source>至少{0}人（领头人加同行人员）</source>
        <translation>At least {0} (the lead and the companions)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/registration_dialog.py" line="430" />
        <source>；{0}人及以上为集体访</source>
        <translation>; {0} or more is a collective visit</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/registration_dialog.py" line="435" />
        <source>按诉求自动推断，可改选</source>
        <translation>Guessed from the request; you may change it</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/registration_dialog.py" line="445" />
        <source>请填写：{0}</source>
        <translation>Please fill in: {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/registration_dialog.py" line="447" />
        <source>请先改正标红的内容</source>
        <translation>Correct what is marked red first</translation>
    </message>
</context>
<context>
    <name>RegistrationsModel</name>
    <message>
        <location filename="../../reception_desk/ui/models/registrations_model.py" line="114" />
        <source>待核</source>
        <translation>Check ID</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/registrations_model.py" line="115" />
        <source>集体访</source>
        <translation>Collective</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/registrations_model.py" line="116" />
        <source>疑似重复</source>
        <translation>Duplicate?</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/registrations_model.py" line="117" />
        <source>类别推断</source>
        <translation>Theme guessed</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/registrations_model.py" line="118" />
        <source>重复访</source>
        <translation>Repeat visit</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/registrations_model.py" line="126" />
        <source>身份证号未通过校验或与库中姓名不一致，请现场核对身份证原件</source>
        <translation>The ID number failed its check or belongs to another name on file: check the ID card at the desk</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/registrations_model.py" line="129" />
        <source>5人及以上的集体访</source>
        <translation>Collective visit of 5 or more people</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/registrations_model.py" line="130" />
        <source>当天已有同一人的登记，请核对是否重复</source>
        <translation>The same person is already registered today: check for a duplicate</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/registrations_model.py" line="131" />
        <source>问题类别由诉求内容推断，请核对</source>
        <translation>The theme was guessed from the request: please check</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/registrations_model.py" line="132" />
        <source>此前接访日已有此人的案件：重复访，原案件已办结的须提级核查</source>
        <translation>This person has a case from an earlier reception day: a repeat visit; a closed earlier case is reviewed one level up</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/registrations_model.py" line="181" />
        <source>登记号</source>
        <translation>Reg. no.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/registrations_model.py" line="182" />
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/registrations_model.py" line="183" />
        <source>人数</source>
        <translation>People</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/registrations_model.py" line="184" />
        <source>问题类别</source>
        <translation>Theme</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/registrations_model.py" line="185" />
        <source>乡镇（街道）</source>
        <translation>Township</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/registrations_model.py" line="186" />
        <source>电话</source>
        <translation>Phone</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/registrations_model.py" line="187" />
        <source>身份证号</source>
        <translation>ID number</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/registrations_model.py" line="188" />
        <source>接待室</source>
        <translation>Reception room</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/registrations_model.py" line="189" />
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/registrations_model.py" line="190" />
        <source>标记</source>
        <translation>Flags</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/registrations_model.py" line="323" />
        <source>{0}（同行：{1}）</source>
        <translation>{0} (with {1})</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/registrations_model.py" line="347" />
        <source>同行：{0}</source>
        <translation>With: {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/registrations_model.py" line="350" />
        <source>诉求：{0}</source>
        <translation>Request: {0}</translation>
    </message>
</context>
<context>
    <name>RegistrationsPage</name>
    <message>
        <location filename="../../reception_desk/ui/pages/registrations_page.py" line="124" />
        <source>预登记</source>
        <translation>Pre-registration</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/registrations_page.py" line="132" />
        <source>搜索：姓名、拼音首字母（如 wxd）、电话、身份证后4位、登记号（Ctrl+F）</source>
        <translation>Search: name, pinyin initials (e.g. wxd), phone, last 4 of ID, registration no. (Ctrl+F)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/registrations_page.py" line="138" />
        <source>新增</source>
        <translation>Add</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/registrations_page.py" line="139" />
        <source>编辑</source>
        <translation>Edit</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/registrations_page.py" line="140" />
        <source>导入…</source>
        <translation>Import…</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/registrations_page.py" line="141" />
        <source>导出…</source>
        <translation>Export…</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/registrations_page.py" line="148" />
        <source>全部类别</source>
        <translation>All themes</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/registrations_page.py" line="151" />
        <source>全部乡镇</source>
        <translation>All townships</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/registrations_page.py" line="153" />
        <source>全部状态</source>
        <translation>All statuses</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/registrations_page.py" line="156" />
        <source>全部标记</source>
        <translation>All flags</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/registrations_page.py" line="159" />
        <source>清除筛选</source>
        <translation>Clear filters</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/registrations_page.py" line="164" />
        <location filename="../../reception_desk/ui/pages/registrations_page.py" line="352" />
        <source>共 {0} 批 {1} 人</source>
        <translation>{0} batches, {1} people</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/registrations_page.py" line="247" />
        <source>人数</source>
        <translation>People</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/registrations_page.py" line="252" />
        <source>接待室</source>
        <translation>Reception room</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/registrations_page.py" line="253" />
        <source>接谈中</source>
        <translation>In session</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/registrations_page.py" line="364" />
        <source>没有找到与“{0}”相符的登记。可试姓名、拼音首字母、电话或身份证后4位。</source>
        <translation>Nothing matches “{0}”. Try a name, pinyin initials, a phone number or the last 4 digits of the ID.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/registrations_page.py" line="366" />
        <source>没有符合筛选条件的登记。</source>
        <translation>No registration matches the filters.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/registrations_page.py" line="367" />
        <source>当天还没有登记：点“新增”或“导入…”。</source>
        <translation>No registrations for this day yet: click “Add” or “Import…”.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/registrations_page.py" line="447" />
        <source>选中一行可在此查看诉求；Enter 或双击编辑。</source>
        <translation>Select a row to see its request here; Enter or double-click to edit.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/registrations_page.py" line="451" />
        <source>（同行：{0}）</source>
        <translation> (with {0})</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/registrations_page.py" line="454" />
        <source>{0}人</source>
        <translation>{0} people</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/registrations_page.py" line="456" />
        <source>诉求：{0}</source>
        <translation>Request: {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/registrations_page.py" line="538" />
        <source>已登记</source>
        <translation>Registered</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/registrations_page.py" line="547" />
        <source>（标记：{0}）</source>
        <translation> (flags: {0})</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/registrations_page.py" line="620" />
        <location filename="../../reception_desk/ui/pages/registrations_page.py" line="633" />
        <source>已保存</source>
        <translation>Saved</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/registrations_page.py" line="636" />
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/registrations_page.py" line="637" />
        <source>身份证号</source>
        <translation>ID number</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/registrations_page.py" line="638" />
        <source>联系电话</source>
        <translation>Phone</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/registrations_page.py" line="639" />
        <source>同行人员</source>
        <translation>Companions</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/registrations_page.py" line="640" />
        <source>来访人数</source>
        <translation>Headcount</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/registrations_page.py" line="641" />
        <source>问题类别</source>
        <translation>Theme</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/registrations_page.py" line="642" />
        <source>诉求内容</source>
        <translation>Request</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/registrations_page.py" line="643" />
        <source>乡镇（街道）</source>
        <translation>Township</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/registrations_page.py" line="644" />
        <source>村（社区）</source>
        <translation>Village</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/registrations_page.py" line="647" />
        <source>登记 {0}</source>
        <translation>Registration {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/registrations_page.py" line="651" />
        <source>已重新载入 {0}（采用他人保存的内容）</source>
        <translation>Reloaded {0} (their saved version)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/registrations_page.py" line="685" />
        <source>导出预登记名单</source>
        <translation>Export the pre-registrations</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/registrations_page.py" line="688" />
        <source>Excel 工作簿 (*.xlsx)</source>
        <translation>Excel workbook (*.xlsx)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/registrations_page.py" line="688" />
        <source>CSV 文件 (*.csv)</source>
        <translation>CSV file (*.csv)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/registrations_page.py" line="690" />
        <source>预登记名单.xlsx</source>
        <translation>pre-registrations.xlsx</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/registrations_page.py" line="701" />
        <source>正在导出……</source>
        <translation>Exporting…</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/registrations_page.py" line="704" />
        <source>{0} 预登记名单</source>
        <translation>{0}: pre-registrations</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/registrations_page.py" line="707" />
        <source>导出失败</source>
        <translation>Export failed</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/registrations_page.py" line="712" />
        <source>已导出 {0} 条到 {1}</source>
        <translation>Exported {0} rows to {1}</translation>
    </message>
</context>
<context>
    <name>ReportPage</name>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="497" />
        <source>导入结果</source>
        <translation>Import result</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="504" />
        <source>导出报告…</source>
        <translation>Export report…</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="526" />
        <source>导入已取消，没有写入任何数据。</source>
        <translation>Import cancelled: nothing was written.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="534" />
        <source>取消请求到达时导入已完成。</source>
        <translation>The import had already finished when Cancel arrived. </translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="537" />
        <source>下表是未导入或需要核对的行：</source>
        <translation>The rows below were not imported or need a look:</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="544" />
        <source>导出导入报告</source>
        <translation>Export the import report</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="547" />
        <source>Excel 工作簿 (*.xlsx)</source>
        <translation>Excel workbook (*.xlsx)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="547" />
        <source>CSV 文件 (*.csv)</source>
        <translation>CSV file (*.csv)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="549" />
        <source>导入报告.xlsx</source>
        <translation>import-report.xlsx</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="562" />
        <source>已导出 {0} 行到 {1}</source>
        <translation>Exported {0} rows to {1}</translation>
    </message>
</context>
<context>
    <name>RetentionTabMixin</name>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_retention_tab.py" line="51" />
        <source>数据保留</source>
        <translation>Data retention</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_retention_tab.py" line="57" />
        <source> 年</source>
        <translation> years</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_retention_tab.py" line="58" />
        <source>永久保留</source>
        <translation>Keep for good</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_retention_tab.py" line="60" />
        <source>化名后保留身份证号和电话的校验值（可识别重复访，不能还原号码）</source>
        <translation>Keep the ID and phone hashes after pseudonymising (repeat visits are still recognised; the numbers cannot be recovered)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_retention_tab.py" line="63" />
        <source>保存保留规则</source>
        <translation>Save retention rule</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_retention_tab.py" line="71" />
        <source>结案后保留</source>
        <translation>Keep after closing</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_retention_tab.py" line="79" />
        <source>到期的来访人（其全部批次的案件均已办结且办结已满保留年限）姓名改为“某某”，身份证号和电话删除；案件内容、乡镇村和统计数据保持不变。设为 0 表示永久保留。每次处理都记入操作日志。</source>
        <translation>Visitors who are due (every case of every batch they came with was closed longer ago than the retention period) are renamed “某某” and their ID and phone numbers are deleted; case facts, township and village, and all figures stay as they are. 0 keeps everything for good. Every run is written to the audit log.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_retention_tab.py" line="86" />
        <source>到期人员</source>
        <translation>People due</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_retention_tab.py" line="88" />
        <source>正在统计…</source>
        <translation>Counting…</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_retention_tab.py" line="91" />
        <source>立即处理…</source>
        <translation>Handle now…</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_retention_tab.py" line="134" />
        <source>永久保留：不做化名处理。</source>
        <translation>Kept for good: nothing is pseudonymised.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_retention_tab.py" line="137" />
        <source>有 {0} 人的个人信息已到期（{1} 之前办结，涉及 {2} 批、{3} 件）。</source>
        <translation>The personal data of {0} people is due (closed before {1}; {2} batches, {3} cases).</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_retention_tab.py" line="143" />
        <source>没有到期的人员（{0} 之前办结的均已处理）。</source>
        <translation>Nobody is due (everyone closed before {0} has been handled).</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_retention_tab.py" line="160" />
        <source>已保存：结案满 {0} 年后化名处理。</source>
        <translation>Saved: pseudonymised {0} years after the case closed.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/settings_retention_tab.py" line="162" />
        <source>已保存：永久保留。</source>
        <translation>Saved: kept for good.</translation>
    </message>
</context>
<context>
    <name>RevealReasonDialog</name>
    <message>
        <location filename="../../reception_desk/ui/dialogs/reveal_dialog.py" line="33" />
        <source>显示完整号码</source>
        <translation>Show full number</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/reveal_dialog.py" line="34" />
        <source>电话</source>
        <translation>Phone</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/reveal_dialog.py" line="34" />
        <source>身份证号</source>
        <translation>ID number</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/reveal_dialog.py" line="36" />
        <source>查看{0}的完整{1}，请写明原因（将记入操作日志）：</source>
        <translation>Why do you need the full {1} of {0}? (recorded in the audit log)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/reveal_dialog.py" line="42" />
        <source>核对来访人身份证件</source>
        <translation>Check the visitor's ID card</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/reveal_dialog.py" line="42" />
        <source>联系来访人</source>
        <translation>Contact the visitor</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/reveal_dialog.py" line="42" />
        <source>更正登记信息</source>
        <translation>Correct the registration</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/reveal_dialog.py" line="47" />
        <source>选择或输入原因</source>
        <translation>Choose or type a reason</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/reveal_dialog.py" line="52" />
        <source>显示</source>
        <translation>Show</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/reveal_dialog.py" line="53" />
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
</context>
<context>
    <name>RolesView</name>
    <message>
        <location filename="../../reception_desk/ui/roles_view.py" line="100" />
        <source>当前用户的角色无权进行此操作</source>
        <translation>Your role does not allow this</translation>
    </message>
</context>
<context>
    <name>RoomBoardPage</name>
    <message>
        <location filename="../../reception_desk/ui/pages/room_board_page.py" line="153" />
        <source>尚未选择接访日。</source>
        <translation>No reception day selected.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_board_page.py" line="168" />
        <source>接待室分配</source>
        <translation>Room board</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_board_page.py" line="186" />
        <source>自动分配</source>
        <translation>Auto-assign</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_board_page.py" line="189" />
        <source>把尚未分配的批次按问题类别分到各接待室（{0}）。已分配或人工调整的不会变动。</source>
        <translation>Place the unassigned batches in rooms by theme ({0}). Batches already placed or moved by hand stay where they are.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_board_page.py" line="195" />
        <source>打印安排表</source>
        <translation>Print schedules</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_board_page.py" line="197" />
        <source>打印全部接待室的安排表；右键单击接待室卡片可只打印该室</source>
        <translation>Print every room's schedule; right-click a room card to print that room's alone</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_board_page.py" line="208" />
        <source>未分配</source>
        <translation>Unassigned</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_board_page.py" line="211" />
        <source>拖到接待室卡片上即可分配；也可拖动各室队列中的批次调整接待室。</source>
        <translation>Drag onto a room card to assign; batches in a room's queue can be dragged to another room too.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_board_page.py" line="219" />
        <source>全部批次均已分配。</source>
        <translation>Every batch has a room.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_board_page.py" line="270" />
        <source>未分配 {0} 批</source>
        <translation>Unassigned: {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_board_page.py" line="279" />
        <source>{0} &lt;b style='color:{1}; font-size:14pt'&gt;{2}&lt;/b&gt; 批 {3} 人</source>
        <translation>{0} &lt;b style='color:{1}; font-size:14pt'&gt;{2}&lt;/b&gt; ({3} people)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_board_page.py" line="284" />
        <source>候谈</source>
        <translation>Waiting</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_board_page.py" line="285" />
        <source>接谈中</source>
        <translation>In session</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_board_page.py" line="286" />
        <source>已接待</source>
        <translation>Done</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_board_page.py" line="287" />
        <source>未签到</source>
        <translation>Not checked in</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_board_page.py" line="291" />
        <source>&lt;b style='color:#c62828'&gt;{0} 个接待室超容量&lt;/b&gt;</source>
        <translation>&lt;b style='color:#c62828'&gt;{0} rooms over capacity&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_board_page.py" line="315" />
        <source>将批次 {0}（{1}，{2}人）从{3}调到{4}。</source>
        <translation>Move batch {0} ({1}, {2} people) from {3} to {4}.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_board_page.py" line="319" />
        <source>将未分配的批次 {0}（{1}，{2}人）分到{3}。</source>
        <translation>Assign the unassigned batch {0} ({1}, {2} people) to {3}.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_board_page.py" line="324" />
        <source>
注意：该批次 {0} 人，超过{1}的容量 {2} 人。</source>
        <translation>
Note: the batch has {0} people, more than the capacity of {1} ({2} people).</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_board_page.py" line="388" />
        <source>请先选中一个批次</source>
        <translation>Select a batch first</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_board_page.py" line="397" />
        <source>批次 {0}（{1}，{2}人）调至哪个接待室？</source>
        <translation>Which room should batch {0} ({1}, {2} people) go to?</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_board_page.py" line="416" />
        <source>调至…接待室</source>
        <translation>Move to room…</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_board_page.py" line="416" />
        <source>分到…接待室</source>
        <translation>Assign to room…</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_board_page.py" line="447" />
        <source>已自动分配 {0} 批</source>
        <translation>{0} batches assigned</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_board_page.py" line="449" />
        <source>没有需要分配的批次</source>
        <translation>No batch to assign</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_board_page.py" line="465" />
        <source>打印{0}安排表</source>
        <translation>Print the schedule of {0}</translation>
    </message>
</context>
<context>
    <name>RoomCaseActions</name>
    <message>
        <location filename="../../reception_desk/ui/widgets/room_case_actions.py" line="74" />
        <source>打印本室案件：</source>
        <translation>Print this room's case:</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/room_case_actions.py" line="81" />
        <source>打印交办单  Ctrl+P</source>
        <translation>Print slip  Ctrl+P</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/room_case_actions.py" line="84" />
        <source>打印回执(A4)</source>
        <translation>Print receipt (A4)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/room_case_actions.py" line="86" />
        <source>A4 受理回执单：来访人联和存根联</source>
        <translation>A4 receipt: the visitor's part and the bureau's stub</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/room_case_actions.py" line="88" />
        <source>回执(80mm)</source>
        <translation>Receipt (80 mm)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/room_case_actions.py" line="90" />
        <source>80 毫米热敏小票打印机用的受理回执</source>
        <translation>Receipt for an 80 mm thermal receipt printer</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/room_case_actions.py" line="94" />
        <source>更正案件</source>
        <translation>Correct case</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/room_case_actions.py" line="96" />
        <source>更正所选案件的诉求、意见、处理结果、颜色或主办单位</source>
        <translation>Correct the chosen case's request, instruction, outcome, colour or lead department</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/room_case_actions.py" line="110" />
        <source>已生成案件 {0}</source>
        <translation>Case {0} created</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/room_case_actions.py" line="112" />
        <source>反馈期限：{0}年{1}月{2}日</source>
        <translation>Feedback due: {2}/{1}/{0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/room_case_actions.py" line="115" />
        <source>主办：{0}</source>
        <translation>Lead: {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/room_case_actions.py" line="168" />
        <source>打印所选案件的交办单（Ctrl+P）</source>
        <translation>Print the chosen case's handover slip (Ctrl+P)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/room_case_actions.py" line="170" />
        <source>当场解决或解释说明的案件不需要交办单</source>
        <translation>A case resolved or explained on the spot needs no handover slip</translation>
    </message>
</context>
<context>
    <name>RoomChooserDialog</name>
    <message>
        <location filename="../../reception_desk/ui/dialogs/room_chooser.py" line="68" />
        <source>调至…接待室</source>
        <translation>Move to room…</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/room_chooser.py" line="74" />
        <source>方向键或输入接待室编号选择，回车确认。</source>
        <translation>Pick with the arrow keys or type the room's number; Enter confirms.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/room_chooser.py" line="83" />
        <source>{0}　{1}　候谈 {2} 人 / 容量 {3}</source>
        <translation>{0}  {1}  waiting {2} / capacity {3}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/room_chooser.py" line="89" />
        <source>（当前）</source>
        <translation> (current)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/room_chooser.py" line="99" />
        <source>下一步：填写原因</source>
        <translation>Next: the reason</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/room_chooser.py" line="100" />
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
</context>
<context>
    <name>RoomHostPage</name>
    <message>
        <location filename="../../reception_desk/ui/models/room_queue_model.py" line="21" />
        <source>身份证待核</source>
        <translation>ID to check</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/room_queue_model.py" line="22" />
        <source>集体访</source>
        <translation>Collective</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/room_queue_model.py" line="23" />
        <source>疑似重复</source>
        <translation>Duplicate?</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/room_queue_model.py" line="24" />
        <source>类别推断</source>
        <translation>Theme guessed</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/room_queue_model.py" line="25" />
        <source>重复访</source>
        <translation>Repeat visit</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/room_case_actions.py" line="23" />
        <source>当场解决</source>
        <translation>Resolved on the spot</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/room_case_actions.py" line="24" />
        <source>交办</source>
        <translation>Handed over</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/room_case_actions.py" line="25" />
        <source>解释说明</source>
        <translation>Explained</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_host_page.py" line="165" />
        <source>接待室</source>
        <translation>Reception room</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_host_page.py" line="177" />
        <source>本接待室</source>
        <translation>This room</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_host_page.py" line="181" />
        <source>请选择本接待室</source>
        <translation>Choose this room</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_host_page.py" line="192" />
        <location filename="../../reception_desk/ui/pages/room_host_page.py" line="395" />
        <source>候谈队列</source>
        <translation>Queue</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_host_page.py" line="219" />
        <source>叫号  F3</source>
        <translation>Call next  F3</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_host_page.py" line="221" />
        <location filename="../../reception_desk/ui/pages/room_host_page.py" line="523" />
        <source>请队列中的下一批进入接待室（F3）</source>
        <translation>Call the next batch of the queue into the room (F3)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_host_page.py" line="223" />
        <source>开始接谈</source>
        <translation>Start session</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_host_page.py" line="225" />
        <source>请选中的批次进入接待室（可不按顺序）</source>
        <translation>Call the selected batch into the room (out of turn if need be)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_host_page.py" line="227" />
        <source>未到</source>
        <translation>No-show</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_host_page.py" line="229" />
        <source>叫号后无人应答：将选中的批次标记为未到</source>
        <translation>Nobody answered the call: mark the selected batch as not come</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_host_page.py" line="262" />
        <source>接谈结果</source>
        <translation>Outcome of the session</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_host_page.py" line="345" />
        <source>接待领导：{0}</source>
        <translation>Host: {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_host_page.py" line="397" />
        <source>尚未创建接访日。</source>
        <translation>No reception day has been created yet.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_host_page.py" line="397" />
        <source>请先在上方选择本接待室。</source>
        <translation>First choose this room above.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_host_page.py" line="401" />
        <source>候谈队列（{0}批 {1}人）</source>
        <translation>Queue ({0} batches, {1} people)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_host_page.py" line="403" />
        <source>未签到 {0} 批 · 已接待 {1} 批 · 未到 {2} 批</source>
        <translation>Not checked in: {0} · Received: {1} · No-show: {2}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_host_page.py" line="431" />
        <source>已恢复未保存的草稿</source>
        <translation>Unsaved draft restored</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_host_page.py" line="450" />
        <source>正在输入…</source>
        <translation>Typing…</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_host_page.py" line="471" />
        <source>草稿未能保存：{0}</source>
        <translation>Draft not saved: {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_host_page.py" line="476" />
        <source>草稿已自动保存</source>
        <translation>Draft saved automatically</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_host_page.py" line="519" />
        <source>请先保存接谈结果或退回候谈，再叫下一批（F3）</source>
        <translation>Save the outcome or send the batch back to the queue before calling the next (F3)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_host_page.py" line="521" />
        <source>没有已签到候谈的批次</source>
        <translation>No checked-in batch is waiting</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_host_page.py" line="552" />
        <source>没有已签到候谈的批次。</source>
        <translation>No checked-in batch is waiting.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_host_page.py" line="586" />
        <location filename="../../reception_desk/ui/pages/room_host_page.py" line="594" />
        <source>标记未到</source>
        <translation>Mark as no-show</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_host_page.py" line="587" />
        <source>将批次 {0}（{1}，{2}人）标记为未到？
该批次之后仍可到登记台签到。</source>
        <translation>Mark batch {0} ({1}, {2} people) as not come?
The batch can still check in at the desk later.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_host_page.py" line="595" />
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/room_host_page.py" line="640" />
        <source>案件已保存</source>
        <translation>Case saved</translation>
    </message>
</context>
<context>
    <name>RoomTile</name>
    <message>
        <location filename="../../reception_desk/ui/call_screen.py" line="71" />
        <location filename="../../reception_desk/ui/call_screen.py" line="152" />
        <source>正在接待</source>
        <translation>Now serving</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/call_screen.py" line="157" />
        <source>请准备</source>
        <translation>Next</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/call_screen.py" line="189" />
        <source>{0}号</source>
        <translation>No. {0}</translation>
    </message>
</context>
<context>
    <name>RoomsModel</name>
    <message>
        <location filename="../../reception_desk/ui/models/plan_models.py" line="70" />
        <source>编号</source>
        <translation>No.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/plan_models.py" line="71" />
        <source>名称</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/plan_models.py" line="72" />
        <source>主题</source>
        <translation>Theme</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/plan_models.py" line="73" />
        <source>主持领导</source>
        <translation>Host leader</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/plan_models.py" line="74" />
        <source>地点</source>
        <translation>Location</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/plan_models.py" line="75" />
        <source>容量（人）</source>
        <translation>Capacity (people)</translation>
    </message>
</context>
<context>
    <name>SessionCard</name>
    <message>
        <location filename="../../reception_desk/ui/widgets/session_card.py" line="27" />
        <source>退回候谈</source>
        <translation>Back to queue</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/session_card.py" line="30" />
        <source>暂停接谈（如回去取材料），该批次回到队列并保留原位；已填写内容保留为草稿</source>
        <translation>Pause the session (e.g. to fetch papers): the batch goes back to the queue in its place; what was typed is kept as a draft</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/session_card.py" line="50" />
        <source>同行人</source>
        <translation>Companions</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/session_card.py" line="51" />
        <source>乡镇 / 村</source>
        <translation>Township / village</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/session_card.py" line="52" />
        <source>联系电话</source>
        <translation>Phone</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/session_card.py" line="53" />
        <source>问题类别</source>
        <translation>Theme</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/session_card.py" line="54" />
        <source>排队号</source>
        <translation>Queue no.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/session_card.py" line="55" />
        <source>登记诉求</source>
        <translation>Registered request</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/session_card.py" line="77" />
        <source>当前无接谈</source>
        <translation>No session</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/session_card.py" line="80" />
        <source>按 F3 叫号请下一批进入；或在左侧选中批次后点“开始接谈”。</source>
        <translation>Press F3 to call the next batch, or select a batch on the left and click "Start session".</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/session_card.py" line="82" />
        <source>请先在左侧选择本接待室。</source>
        <translation>First choose this room on the left.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/session_card.py" line="86" />
        <source>接谈中：{0} · {1} · {2}人</source>
        <translation>In session: {0} · {1} · {2} people</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/session_card.py" line="91" />
        <source>无</source>
        <translation>None</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <location filename="../../reception_desk/ui/pages/settings_page.py" line="74" />
        <source>数据库</source>
        <translation>Database</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/settings_page.py" line="75" />
        <source>接访日</source>
        <translation>Reception day</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/settings_page.py" line="76" />
        <source>接待室</source>
        <translation>Reception room</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/settings_page.py" line="77" />
        <source>单位目录</source>
        <translation>Departments</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/settings_page.py" line="82" />
        <source>数据保留</source>
        <translation>Data retention</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/settings_page.py" line="84" />
        <source>语言</source>
        <translation>Language</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/settings_page.py" line="92" />
        <source>设置</source>
        <translation>Settings</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/settings_page.py" line="111" />
        <source>共 {0} 个单位，其中 {1} 个启用</source>
        <translation>{0} departments, {1} active</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/settings_page.py" line="117" />
        <source>尚未选择接访日</source>
        <translation>No reception day chosen</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/settings_page.py" line="120" />
        <source>{0}年{1}月{2}日 · {3} 的接待室</source>
        <translation>Rooms of {2}/{1}/{0} · {3}</translation>
    </message>
</context>
<context>
    <name>StatisticsPage</name>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="246" />
        <source>统计</source>
        <translation>Statistics</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="259" />
        <source>当前接访日</source>
        <translation>Current reception day</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="259" />
        <source>本月</source>
        <translation>This month</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="259" />
        <source>本年</source>
        <translation>This year</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="259" />
        <source>全部</source>
        <translation>All</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="259" />
        <source>自定义</source>
        <translation>Custom</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="266" />
        <source>只计入截至该日（含）已发生的登记、办结和回访</source>
        <translation>Counts only recordings, closures and follow-ups on or before this date</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="269" />
        <source>刷新</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="273" />
        <source>统计范围：</source>
        <translation>Period:</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="275" />
        <source>从</source>
        <translation>From</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="278" />
        <source>至</source>
        <translation>to</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="282" />
        <source>截至日期：</source>
        <translation>As of:</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="303" />
        <source>按期办结率</source>
        <translation>On-time closure rate</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="303" />
        <source>参评率</source>
        <translation>Rating rate</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="303" />
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="485" />
        <source>满意率</source>
        <translation>Satisfaction rate</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="303" />
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="485" />
        <source>化解率</source>
        <translation>Resolution rate</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="305" />
        <source>交办案件中按期办结的 ÷（已办结的交办案件 + 逾期未办结的）</source>
        <translation>Handed-over cases closed on time ÷ (handed-over cases closed + open cases past due)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="306" />
        <source>已回访评价的 ÷ 已办结的</source>
        <translation>Closed cases rated at follow-up ÷ closed cases</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="307" />
        <source>满意和基本满意的 ÷ 已回访评价的</source>
        <translation>Satisfied and basically satisfied ÷ rated cases</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="308" />
        <source>已化解且此后未重复来访的 ÷ 已办结的</source>
        <translation>Closed cases resolved and not followed by a repeat visit ÷ closed cases</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="340" />
        <source>案件</source>
        <translation>Cases</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="341" />
        <source>交办</source>
        <translation>Handed over</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="342" />
        <source>当场解决</source>
        <translation>Resolved on the spot</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="343" />
        <source>解释说明</source>
        <translation>Explained</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="344" />
        <source>未办结</source>
        <translation>Not closed</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="345" />
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="482" />
        <source>逾期</source>
        <translation>Overdue</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="346" />
        <source>挂牌督办</source>
        <translation>Supervise</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="347" />
        <source>重复访</source>
        <translation>Repeat visit</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="364" />
        <source>分组统计</source>
        <translation>Breakdown</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="368" />
        <source>按：</source>
        <translation>By:</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="372" />
        <source>责任单位</source>
        <translation>Department</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="372" />
        <source>问题类别</source>
        <translation>Theme</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="372" />
        <source>接待室</source>
        <translation>Reception room</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="429" />
        <source>起始日期晚于结束日期，请调整。</source>
        <translation>The start date is after the end date; please adjust.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="450" />
        <source>已按期 {0} / {1}</source>
        <translation>On time {0} / {1}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="451" />
        <source>已评价 {0} / {1}</source>
        <translation>Rated {0} / {1}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="452" />
        <source>满意 {0} / {1}</source>
        <translation>Satisfied {0} / {1}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="453" />
        <source>已化解 {0} / {1}</source>
        <translation>Resolved {0} / {1}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="473" />
        <source>共 {0} 组；图表显示案件最多的 {1} 组</source>
        <translation>{0} groups; the charts show the {1} with the most cases</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="476" />
        <source>共 {0} 组</source>
        <translation>{0} groups</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="478" />
        <source>该范围内没有案件</source>
        <translation>No cases in this period</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="481" />
        <source>各{0}案件办理情况</source>
        <translation>Case progress by {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="482" />
        <source>已办结</source>
        <translation>Closed</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="482" />
        <source>未办结（未逾期）</source>
        <translation>Open (not overdue)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="485" />
        <source>各{0}满意率、化解率</source>
        <translation>Satisfaction and resolution rates by {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="490" />
        <source>截至 {0}年{1}月{2}日</source>
        <translation>as of {0}-{1}-{2}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="492" />
        <source>尚未选择接访日</source>
        <translation>No reception day chosen</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="495" />
        <source>全部接访日</source>
        <translation>All reception days</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="497" />
        <source>{0}年{1}月{2}日 接访日</source>
        <translation>Reception day {0}-{1}-{2}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="499" />
        <source>{0} 至 {1} 的接访日</source>
        <translation>Reception days {0} to {1}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="500" />
        <source>最早</source>
        <translation>the earliest</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/statistics_page.py" line="500" />
        <source>最近</source>
        <translation>the latest</translation>
    </message>
</context>
<context>
    <name>TicketPanel</name>
    <message>
        <location filename="../../reception_desk/ui/widgets/ticket_panel.py" line="52" />
        <source>打印排队号  Ctrl+P</source>
        <translation>Print queue ticket  Ctrl+P</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/ticket_panel.py" line="54" />
        <source>在 80 毫米小票打印机上打印排队号（先预览）</source>
        <translation>Print the queue ticket on the 80 mm receipt printer (preview first)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/ticket_panel.py" line="65" />
        <source>签到后，这里用大字显示接待室和排队号，请来访人核对。</source>
        <translation>After check-in, the room and the queue number show here in large type for the visitor.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/ticket_panel.py" line="71" />
        <source>查找：姓名（如 王学德）、拼音首字母（如 wxd）、电话、身份证后4位或登记号（如 Y12）。</source>
        <translation>Search by name (e.g. 王学德), pinyin initials (e.g. wxd), phone, last 4 of the ID, or reg. no. (e.g. Y12).</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/ticket_panel.py" line="81" />
        <source>尚未签到：{0}</source>
        <translation>Not checked in yet: {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/ticket_panel.py" line="87" />
        <source>该批次已标记未到；来访人到场后回车签到。</source>
        <translation>Marked as not come; press Enter to check in once the visitor is here.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/ticket_panel.py" line="88" />
        <source>核对来访人后回车签到；集体访可选择到场人员。</source>
        <translation>Check the visitor, then press Enter to check in; for a group you can pick who is here.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/ticket_panel.py" line="96" />
        <source>已撤销签到：{0}</source>
        <translation>Check-in undone: {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/ticket_panel.py" line="101" />
        <source>已签到 {0}/{1} 人，排队号不变。</source>
        <translation>{0}/{1} people checked in; the queue number stays.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/ticket_panel.py" line="103" />
        <source>原排队号 {0} 作废，不再发出；该批次退回“已登记”。</source>
        <translation>Queue number {0} is void and will not be given again; the batch is back to Registered.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/ticket_panel.py" line="105" />
        <source>该批次退回“已登记”。</source>
        <translation>The batch is back to Registered.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/ticket_panel.py" line="113" />
        <location filename="../../reception_desk/ui/widgets/ticket_panel.py" line="120" />
        <source>{0} 等{1}人</source>
        <translation>{0} and party ({1} people)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/ticket_panel.py" line="122" />
        <source>签到成功：{0}</source>
        <translation>Checked in: {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/ticket_panel.py" line="124" />
        <location filename="../../reception_desk/ui/widgets/ticket_panel.py" line="130" />
        <source>已签到 {0}/{1} 人：{2}</source>
        <translation>{0}/{1} people checked in: {2}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/ticket_panel.py" line="126" />
        <source>该批次已接待完毕：{0}</source>
        <translation>This batch has already been received: {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/ticket_panel.py" line="128" />
        <source>该批次正在接谈：{0}</source>
        <translation>This batch is in session: {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/ticket_panel.py" line="132" />
        <source>已调整接待室：{0}</source>
        <translation>Room changed: {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/ticket_panel.py" line="134" />
        <source>该批次已签到，无需重复签到：{0}</source>
        <translation>Already checked in, no need to check in again: {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/ticket_panel.py" line="138" />
        <source>请到 {0}</source>
        <translation>Please go to {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/ticket_panel.py" line="140" />
        <source>请在等候区稍候</source>
        <translation>Please wait in the waiting area</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/ticket_panel.py" line="143" />
        <source>排队号 {0}</source>
        <translation>Ticket {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/ticket_panel.py" line="148" />
        <source>前面还有 {0} 批</source>
        <translation>{0} batches ahead</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/ticket_panel.py" line="148" />
        <source>前面没有等候的批次</source>
        <translation>Nobody waiting ahead</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/ticket_panel.py" line="153" />
        <source>尚未分配接待室，工作人员将尽快安排。</source>
        <translation>No room yet; the staff will assign one shortly.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/ticket_panel.py" line="155" />
        <source>身份证号待核对：请查看证件原件。</source>
        <translation>ID number to be verified: please check the original ID card.</translation>
    </message>
</context>
<context>
    <name>TrackingModel</name>
    <message>
        <location filename="../../reception_desk/ui/models/tracking_model.py" line="159" />
        <source>紧急程度</source>
        <translation>Urgency</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/tracking_model.py" line="160" />
        <source>案件编号</source>
        <translation>Case no.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/tracking_model.py" line="162" />
        <source>来访人</source>
        <translation>Visitor</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/tracking_model.py" line="163" />
        <source>问题类别</source>
        <translation>Theme</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/tracking_model.py" line="161" />
        <source>接访日</source>
        <comment>short</comment>
        <translation>Day</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/tracking_model.py" line="164" />
        <source>接待室</source>
        <comment>short</comment>
        <translation>Room</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/tracking_model.py" line="165" />
        <source>主办单位</source>
        <comment>short</comment>
        <translation>Lead dept.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/tracking_model.py" line="166" />
        <source>颜色</source>
        <translation>Colour</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/tracking_model.py" line="167" />
        <source>期限</source>
        <translation>Due</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/tracking_model.py" line="168" />
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/tracking_model.py" line="169" />
        <source>督办</source>
        <translation>Sup.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/tracking_model.py" line="170" />
        <source>回访</source>
        <translation>Follow-up</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/tracking_model.py" line="296" />
        <location filename="../../reception_desk/ui/models/tracking_model.py" line="306" />
        <source>督</source>
        <translation>Sup</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/tracking_model.py" line="318" />
        <source>下一工作日（{0}）到期</source>
        <translation>Due on the next working day ({0})</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/tracking_model.py" line="320" />
        <source>期限 {0}，已逾期 {1} 天</source>
        <translation>Due {0}, {1} days overdue</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/tracking_model.py" line="322" />
        <source>{0}年的节假日安排尚未录入，期限仅按周末推算，请在“设置 → 工作日历”中录入后核对。</source>
        <translation>The {0} holiday schedule has not been entered: the deadline counts weekends only. Enter it under Settings → Working calendar, then check.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/tracking_model.py" line="328" />
        <source>签收人：{0}</source>
        <translation>Signed by: {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/tracking_model.py" line="330" />
        <source>未设期限</source>
        <translation>no deadline</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/tracking_model.py" line="331" />
        <source>挂牌督办，督办期限：{0}</source>
        <translation>Supervised until {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/tracking_model.py" line="334" />
        <source>重复访，原案件 {0}</source>
        <translation>Repeat visit, earlier case {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/tracking_model.py" line="336" />
        <source>已提级核查</source>
        <translation>Escalated for review</translation>
    </message>
</context>
<context>
    <name>TrackingPage</name>
    <message>
        <location filename="../../reception_desk/ui/pages/tracking_page.py" line="212" />
        <source>督办台</source>
        <translation>Tracking</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/tracking_page.py" line="228" />
        <source>未办结</source>
        <translation>Not closed</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/tracking_page.py" line="229" />
        <source>待签收</source>
        <translation>Not signed</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/tracking_page.py" line="230" />
        <source>已签收</source>
        <translation>Signed for</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/tracking_page.py" line="231" />
        <source>已反馈</source>
        <translation>Replied</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/tracking_page.py" line="232" />
        <source>逾期</source>
        <translation>Overdue</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/tracking_page.py" line="233" />
        <source>今日到期</source>
        <translation>Due today</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/tracking_page.py" line="234" />
        <source>已办结</source>
        <translation>Closed</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/tracking_page.py" line="235" />
        <source>全部</source>
        <translation>All</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/tracking_page.py" line="238" />
        <source>全部接访日</source>
        <translation>All reception days</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/tracking_page.py" line="239" />
        <source>全部单位</source>
        <translation>All departments</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/tracking_page.py" line="240" />
        <source>全部类别</source>
        <translation>All themes</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/tracking_page.py" line="243" />
        <source>全部接待室</source>
        <translation>All rooms</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/tracking_page.py" line="244" />
        <source>全部颜色</source>
        <translation>All colours</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/tracking_page.py" line="245" />
        <source>红色</source>
        <translation>Red</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/tracking_page.py" line="245" />
        <source>黄色</source>
        <translation>Yellow</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/tracking_page.py" line="245" />
        <source>绿色</source>
        <translation>Green</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/tracking_page.py" line="247" />
        <source>只看挂牌督办</source>
        <translation>Supervised only</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/tracking_page.py" line="249" />
        <source>只看重复访</source>
        <translation>Repeat visits only</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/tracking_page.py" line="253" />
        <source>清除筛选</source>
        <translation>Clear filters</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/tracking_page.py" line="259" />
        <source>办理（Enter）</source>
        <translation>Handle (Enter)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/tracking_page.py" line="263" />
        <source>打印催办单</source>
        <translation>Print reminder notice</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/tracking_page.py" line="265" />
        <source>为所选的逾期案件打印催办单</source>
        <translation>Print reminder notices for the selected overdue cases</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/tracking_page.py" line="337" />
        <source>各单位办理情况</source>
        <translation>Departments' workload</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/tracking_page.py" line="519" />
        <source>第{0}接待室</source>
        <translation>Room {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/tracking_page.py" line="531" />
        <source>共 {0} 件</source>
        <translation>{0} cases</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/tracking_page.py" line="533" />
        <source>共 {0} 件，逾期 {1} 件</source>
        <translation>{0} cases, {1} overdue</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/tracking_page.py" line="537" />
        <source>没有符合筛选条件的案件。可点“清除筛选”看全部未办结案件。</source>
        <translation>No case matches the filters. Click “Clear filters” to see all open cases.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/tracking_page.py" line="539" />
        <source>没有未办结的案件。</source>
        <translation>No open cases.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/tracking_page.py" line="550" />
        <source>交办在办 {0} 件，其中逾期 {1} 件（{2}）</source>
        <translation>{0} handed-over cases open, {1} overdue ({2})</translation>
    </message>
</context>
<context>
    <name>UndoCheckInDialog</name>
    <message>
        <location filename="../../reception_desk/ui/dialogs/checkin_dialogs.py" line="127" />
        <location filename="../../reception_desk/ui/dialogs/checkin_dialogs.py" line="131" />
        <source>撤销签到</source>
        <translation>Undo check-in</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/checkin_dialogs.py" line="128" />
        <source>撤销 {0} {1} 的签到。整批撤销后该批次退回“已登记”、离开候谈队列，原排队号作废、不再发出。</source>
        <translation>Undo the check-in of {0} {1}. Undone as a whole, the batch goes back to Registered and leaves the queue; its queue number is void and never given again.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/checkin_dialogs.py" line="132" />
        <source>例如：认错了人；来访人已离开</source>
        <translation>e.g. wrong person; the visitor has left</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/checkin_dialogs.py" line="137" />
        <source>整批（已签到的 {0} 人）</source>
        <translation>The whole batch ({0} checked in)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/checkin_dialogs.py" line="145" />
        <source>仅 {0}</source>
        <translation>Only {0}</translation>
    </message>
</context>
<context>
    <name>UsersEditor</name>
    <message>
        <location filename="../../reception_desk/ui/widgets/users_editor.py" line="69" />
        <source>用户</source>
        <translation>User</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/users_editor.py" line="78" />
        <source>用户列表</source>
        <translation>Users</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/users_editor.py" line="83" />
        <location filename="../../reception_desk/ui/widgets/users_editor.py" line="130" />
        <source>用户名</source>
        <translation>User name</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/users_editor.py" line="83" />
        <location filename="../../reception_desk/ui/widgets/users_editor.py" line="131" />
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/users_editor.py" line="83" />
        <location filename="../../reception_desk/ui/widgets/users_editor.py" line="132" />
        <source>角色</source>
        <translation>Role</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/users_editor.py" line="83" />
        <location filename="../../reception_desk/ui/widgets/users_editor.py" line="133" />
        <source>接待室</source>
        <translation>Reception room</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/users_editor.py" line="83" />
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/users_editor.py" line="93" />
        <location filename="../../reception_desk/ui/widgets/users_editor.py" line="192" />
        <source>停用</source>
        <comment>button</comment>
        <translation>Disable</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/users_editor.py" line="96" />
        <source>重置密码…</source>
        <translation>Reset password…</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/users_editor.py" line="106" />
        <location filename="../../reception_desk/ui/widgets/users_editor.py" line="126" />
        <source>添加用户</source>
        <translation>Add user</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/users_editor.py" line="110" />
        <source>英文字母、数字，如 desk1</source>
        <translation>Letters and digits, e.g. desk1</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/users_editor.py" line="119" />
        <source>接待室用户填写，如 4,5 或 1-5</source>
        <translation>For room hosts, e.g. 4,5 or 1-5</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/users_editor.py" line="134" />
        <source>密码</source>
        <translation>Password</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/users_editor.py" line="135" />
        <source>再输入一次</source>
        <translation>Again</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/users_editor.py" line="149" />
        <source>单机模式：本数据库尚未设置用户，任何人都可操作。先创建一个管理员：创建后本数据库即需要登录（所有电脑），本机以该管理员继续工作。</source>
        <translation>Single-laptop mode: this database has no users yet and anyone can do anything. Create an admin first: from then on every laptop logs in, and this one goes on as that admin.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/users_editor.py" line="155" />
        <source>只有管理员可以管理用户。</source>
        <translation>Only an admin manages users.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/users_editor.py" line="192" />
        <source>启用</source>
        <comment>button</comment>
        <translation>Enable</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/users_editor.py" line="207" />
        <source>启用</source>
        <translation>Active</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/users_editor.py" line="207" />
        <source>停用</source>
        <translation>Inactive</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/users_editor.py" line="209" />
        <source>（锁定中）</source>
        <translation> (locked)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/users_editor.py" line="229" />
        <source>两次输入的密码不一致。</source>
        <translation>The two passwords differ.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/users_editor.py" line="234" />
        <source>接待室编号应如 4,5 或 1-5。</source>
        <translation>Room numbers like 4,5 or 1-5.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/users_editor.py" line="263" />
        <source>已创建管理员 {0}：本数据库从此需要登录，本机已以 {0} 登录。</source>
        <translation>Admin {0} created: this database needs a login from now on; this laptop is logged in as {0}.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/users_editor.py" line="266" />
        <source>已添加用户 {0}（{1}）。</source>
        <translation>Added user {0} ({1}).</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/users_editor.py" line="282" />
        <source>已启用 {0}。</source>
        <translation>Enabled {0}.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/users_editor.py" line="282" />
        <source>已停用 {0}。</source>
        <translation>Disabled {0}.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/users_editor.py" line="291" />
        <source>已修改 {0} 的密码。</source>
        <translation>Changed the password of {0}.</translation>
    </message>
</context>
<context>
    <name>VerdictModel</name>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="175" />
        <source>Excel行号</source>
        <translation>Excel row</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="175" />
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="175" />
        <source>结论</source>
        <translation>Verdict</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/import_wizard.py" line="175" />
        <source>原因</source>
        <translation>Reason</translation>
    </message>
</context>
<context>
    <name>WalkInFlow</name>
    <message>
        <location filename="../../reception_desk/ui/dialogs/walk_in_flow.py" line="105" />
        <source>已预登记 {0} {1}，直接签到？</source>
        <translation>Pre-registered as {0} {1}. Check in that batch?</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/walk_in_flow.py" line="107" />
        <source>今日已登记 {0} {1}，直接签到？</source>
        <translation>Already registered today: {0} {1}. Check in that batch?</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/walk_in_flow.py" line="111" />
        <source>已有登记</source>
        <translation>Already registered</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/walk_in_flow.py" line="113" />
        <source>同一人同一天不重复登记。确需另立一批（另一件事），请选“另行登记”并填写原因。</source>
        <translation>A person is registered once a day. If a second batch (another matter) is really needed, choose Register separately and give a reason.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/walk_in_flow.py" line="114" />
        <source>直接签到</source>
        <translation>Check in</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/walk_in_flow.py" line="115" />
        <source>另行登记…</source>
        <translation>Register separately…</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/walk_in_flow.py" line="116" />
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/walk_in_flow.py" line="130" />
        <location filename="../../reception_desk/ui/dialogs/walk_in_flow.py" line="134" />
        <source>另行登记</source>
        <translation>Register separately</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/walk_in_flow.py" line="131" />
        <source>{0} 今日已有登记 {1}。另立一批须说明原因（记入操作记录和批次备注）。</source>
        <translation>{0} is already registered today as {1}. A second batch needs a reason (kept in the audit log and the batch note).</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/walk_in_flow.py" line="135" />
        <source>例如：另一件不相关的事项</source>
        <translation>e.g. a different, unrelated matter</translation>
    </message>
</context>
<context>
    <name>audit</name>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="61" />
        <source>登记</source>
        <comment>audit</comment>
        <translation>Registered</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="62" />
        <source>导入预登记</source>
        <comment>audit</comment>
        <translation>Imported</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="63" />
        <source>更新联系方式</source>
        <comment>audit</comment>
        <translation>Contact updated</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="64" />
        <source>修改登记</source>
        <comment>audit</comment>
        <translation>Registration edited</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="65" />
        <source>自动分配接待室</source>
        <comment>audit</comment>
        <translation>Room assigned</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="66" />
        <source>调整接待室</source>
        <comment>audit</comment>
        <translation>Moved to room</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="67" />
        <source>签到</source>
        <comment>audit</comment>
        <translation>Checked in</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="68" />
        <source>撤销签到</source>
        <comment>audit</comment>
        <translation>Check-in undone</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="69" />
        <source>开始接谈</source>
        <comment>audit</comment>
        <translation>Session started</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="70" />
        <source>退回候谈</source>
        <comment>audit</comment>
        <translation>Back to queue</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="71" />
        <source>标记未到</source>
        <comment>audit</comment>
        <translation>Marked no-show</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="72" />
        <source>接谈结束</source>
        <comment>audit</comment>
        <translation>Session finished</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="73" />
        <source>记录接谈结果</source>
        <comment>audit</comment>
        <translation>Case recorded</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="74" />
        <source>修改</source>
        <comment>audit</comment>
        <translation>Changed</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="75" />
        <source>创建</source>
        <comment>audit</comment>
        <translation>Created</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="76" />
        <source>生成演示数据</source>
        <comment>audit</comment>
        <translation>Demo created</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="77" />
        <source>标记重复访</source>
        <comment>audit</comment>
        <translation>Marked repeat visit</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="78" />
        <source>签收</source>
        <comment>audit</comment>
        <translation>Signed for</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="79" />
        <source>反馈</source>
        <comment>audit</comment>
        <translation>Feedback</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="80" />
        <source>办结</source>
        <comment>audit</comment>
        <translation>Closed</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="81" />
        <source>回访</source>
        <comment>audit</comment>
        <translation>Followed up</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="82" />
        <source>延期</source>
        <comment>audit</comment>
        <translation>Extended</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="83" />
        <source>挂牌督办</source>
        <comment>audit</comment>
        <translation>Supervised</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="84" />
        <source>提级核查</source>
        <comment>audit</comment>
        <translation>Escalated</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="85" />
        <source>修改工作日历</source>
        <comment>audit</comment>
        <translation>Calendar changed</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="86" />
        <source>确认全年工作日历</source>
        <comment>audit</comment>
        <translation>Year calendar confirmed</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="87" />
        <source>修改期限计算方式</source>
        <comment>audit</comment>
        <translation>Deadline mode changed</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="88" />
        <source>添加用户</source>
        <comment>audit</comment>
        <translation>User added</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="89" />
        <source>启用用户</source>
        <comment>audit</comment>
        <translation>User enabled</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="90" />
        <source>停用用户</source>
        <comment>audit</comment>
        <translation>User disabled</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="91" />
        <source>修改密码</source>
        <comment>audit</comment>
        <translation>Password changed</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="92" />
        <source>重置密码</source>
        <comment>audit</comment>
        <translation>Password reset</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="93" />
        <source>锁定用户</source>
        <comment>audit</comment>
        <translation>User locked</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="94" />
        <source>查看完整号码</source>
        <comment>audit</comment>
        <translation>Full number shown</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="95" />
        <source>导出完整号码</source>
        <comment>audit</comment>
        <translation>Full numbers exported</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="96" />
        <source>号码</source>
        <comment>audit</comment>
        <translation>Number</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="97" />
        <source>导出内容</source>
        <comment>audit</comment>
        <translation>Exported</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="98" />
        <source>文件</source>
        <comment>audit</comment>
        <translation>File</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="99" />
        <source>行数</source>
        <comment>audit</comment>
        <translation>Rows</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="100" />
        <source>批次</source>
        <comment>audit</comment>
        <translation>Batch</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="101" />
        <source>信访事项</source>
        <comment>audit</comment>
        <translation>Case</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="102" />
        <source>来访人</source>
        <comment>audit</comment>
        <translation>Visitor</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="103" />
        <source>接待室</source>
        <comment>audit</comment>
        <translation>Room</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="104" />
        <source>单位</source>
        <comment>audit</comment>
        <translation>Department</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="105" />
        <source>接访日</source>
        <comment>audit</comment>
        <translation>Reception day</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="106" />
        <source>节假日安排</source>
        <comment>audit</comment>
        <translation>Holiday schedule</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="107" />
        <source>用户</source>
        <comment>audit</comment>
        <translation>User</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="108" />
        <source>登记号</source>
        <comment>audit</comment>
        <translation>Reg. no.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="109" />
        <source>人数</source>
        <comment>audit</comment>
        <translation>People</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="110" />
        <source>问题类别</source>
        <comment>audit</comment>
        <translation>Theme</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="111" />
        <source>诉求</source>
        <comment>audit</comment>
        <translation>Request</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="112" />
        <source>乡镇（街道）</source>
        <comment>audit</comment>
        <translation>Township</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="113" />
        <source>村（社区）</source>
        <comment>audit</comment>
        <translation>Village</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="114" />
        <source>来源</source>
        <comment>audit</comment>
        <translation>Source</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="115" />
        <source>状态</source>
        <comment>audit</comment>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="116" />
        <source>排队位置</source>
        <comment>audit</comment>
        <translation>Queue position</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="117" />
        <source>排队号</source>
        <comment>audit</comment>
        <translation>Queue no.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="118" />
        <source>人工调整</source>
        <comment>audit</comment>
        <translation>Placed by hand</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="119" />
        <source>标记</source>
        <comment>audit</comment>
        <translation>Flags</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="120" />
        <source>来访人员</source>
        <comment>audit</comment>
        <translation>People</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="121" />
        <source>来访人信息</source>
        <comment>audit</comment>
        <translation>People's details</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="122" />
        <source>本次签到人员</source>
        <comment>audit</comment>
        <translation>Checked in now</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="123" />
        <source>撤销签到人员</source>
        <comment>audit</comment>
        <translation>Check-in undone for</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="124" />
        <source>导入来源</source>
        <comment>audit</comment>
        <translation>Import source</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="125" />
        <source>签到时间</source>
        <comment>audit</comment>
        <translation>Checked in at</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="126" />
        <source>叫号时间</source>
        <comment>audit</comment>
        <translation>Called at</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="127" />
        <source>开始接谈时间</source>
        <comment>audit</comment>
        <translation>Session started at</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="128" />
        <source>接谈结束时间</source>
        <comment>audit</comment>
        <translation>Session finished at</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="129" />
        <source>案件编号</source>
        <comment>audit</comment>
        <translation>Case no.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="130" />
        <source>领导批示</source>
        <comment>audit</comment>
        <translation>Leader's instruction</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="131" />
        <source>处理结果</source>
        <comment>audit</comment>
        <translation>Outcome</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="132" />
        <source>三色分类</source>
        <comment>audit</comment>
        <translation>Colour</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="133" />
        <source>主办单位</source>
        <comment>audit</comment>
        <translation>Lead department</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="134" />
        <source>协办单位</source>
        <comment>audit</comment>
        <translation>Co-departments</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="135" />
        <source>办理期限</source>
        <comment>audit</comment>
        <translation>Due date</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="136" />
        <source>签收时间</source>
        <comment>audit</comment>
        <translation>Signed at</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="137" />
        <source>签收人</source>
        <comment>audit</comment>
        <translation>Signed by</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="138" />
        <source>反馈时间</source>
        <comment>audit</comment>
        <translation>Feedback at</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="139" />
        <source>办结时间</source>
        <comment>audit</comment>
        <translation>Closed at</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="140" />
        <source>化解</source>
        <comment>audit</comment>
        <translation>Resolved</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="141" />
        <source>满意度</source>
        <comment>audit</comment>
        <translation>Satisfaction</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="142" />
        <source>回访时间</source>
        <comment>audit</comment>
        <translation>Followed up at</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="143" />
        <source>督办期限</source>
        <comment>audit</comment>
        <translation>Supervised until</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="144" />
        <source>名称</source>
        <comment>audit</comment>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="145" />
        <source>电话</source>
        <comment>audit</comment>
        <translation>Phone</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="146" />
        <source>身份证号</source>
        <comment>audit</comment>
        <translation>ID number</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="147" />
        <source>位置</source>
        <comment>audit</comment>
        <translation>Location</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="148" />
        <source>主持人</source>
        <comment>audit</comment>
        <translation>Host</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="149" />
        <source>容量</source>
        <comment>audit</comment>
        <translation>Capacity</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="150" />
        <source>简称</source>
        <comment>audit</comment>
        <translation>Short name</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="151" />
        <source>类型</source>
        <comment>audit</comment>
        <translation>Kind</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="152" />
        <source>联系人</source>
        <comment>audit</comment>
        <translation>Contact</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="153" />
        <source>启用</source>
        <comment>audit</comment>
        <translation>Active</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="154" />
        <source>显示名</source>
        <comment>audit</comment>
        <translation>Display name</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="155" />
        <source>角色</source>
        <comment>audit</comment>
        <translation>Role</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="156" />
        <source>日期</source>
        <comment>audit</comment>
        <translation>Date</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="157" />
        <source>标题</source>
        <comment>audit</comment>
        <translation>Title</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="158" />
        <source>地点</source>
        <comment>audit</comment>
        <translation>Venue</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="159" />
        <source>接访领导</source>
        <comment>audit</comment>
        <translation>Leaders</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="160" />
        <source>备注</source>
        <comment>audit</comment>
        <translation>Note</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="161" />
        <source>年份</source>
        <comment>audit</comment>
        <translation>Year</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="162" />
        <source>按工作日计算期限</source>
        <comment>audit</comment>
        <translation>Working-day deadlines</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="163" />
        <source>随机种子</source>
        <comment>audit</comment>
        <translation>Seed</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/pages/audit_page.py" line="164" />
        <source>含历史数据</source>
        <comment>audit</comment>
        <translation>With history</translation>
    </message>
</context>
<context>
    <name>errors</name>
    <message>
        <location filename="../../reception_desk/ui/errors.py" line="35" />
        <source>操作未完成：{0}。详细信息已写入日志文件 {1}。</source>
        <translation>The operation did not complete: {0}. Details are in the log file {1}.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/errors.py" line="48" />
        <source>无法完成</source>
        <translation>Could not complete</translation>
    </message>
</context>
<context>
    <name>login</name>
    <message>
        <location filename="../../reception_desk/ui/login.py" line="67" />
        <source>本数据库需要登录：请设置环境变量 RECEPTION_DESK_USER 和 RECEPTION_DESK_PASSWORD。</source>
        <translation>This database needs a login: set RECEPTION_DESK_USER and RECEPTION_DESK_PASSWORD.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/login.py" line="51" />
        <location filename="../../reception_desk/ui/login.py" line="70" />
        <source>错误：{0}</source>
        <translation>Error: {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/login.py" line="45" />
        <source>本数据库的个人信息已加密，而这台电脑没有它的密钥文件（数据库是从别处复制来的？），因此不能打开。请在建立数据库的电脑上打开，或由管理员在那里建立用户后用用户名和密码登录。</source>
        <translation>The personal data in this database is encrypted and this computer does not have its key file (was the database copied from elsewhere?), so it cannot be opened. Open it on the computer that created it, or have an administrator create users there and log in with a user name and password.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/login.py" line="55" />
        <source>无法打开数据库</source>
        <translation>Cannot open the database</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/login.py" line="72" />
        <source>数据库：{0}</source>
        <translation>Database: {0}</translation>
    </message>
</context>
<context>
    <name>printing</name>
    <message>
        <location filename="../../reception_desk/ui/printing/jobs.py" line="256" />
        <source>交办单 {0}</source>
        <translation>Handover slip {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/printing/jobs.py" line="264" />
        <source>受理回执单（80mm）{0}</source>
        <translation>Receipt (80 mm) {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/printing/jobs.py" line="266" />
        <source>受理回执单 {0}</source>
        <translation>Receipt {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/printing/jobs.py" line="274" />
        <source>排队号 {0}</source>
        <translation>Ticket {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/printing/jobs.py" line="282" />
        <source>全部接待室安排表</source>
        <translation>All room schedules</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/printing/jobs.py" line="284" />
        <source>第{0}接待室安排表</source>
        <translation>Room {0} schedule</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/printing/jobs.py" line="292" />
        <source>全部交办单</source>
        <translation>All handover slips</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/printing/jobs.py" line="299" />
        <source>预登记名单</source>
        <translation>Pre-registration list</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/printing/jobs.py" line="306" />
        <source>当日接访情况汇总</source>
        <translation>Day summary</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/printing/jobs.py" line="313" />
        <source>交办清单 {0}</source>
        <translation>Department bundle {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/printing/jobs.py" line="315" />
        <source>交办清单（{0}个单位）</source>
        <translation>Department bundles ({0} departments)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/printing/jobs.py" line="324" />
        <source>接访日简报</source>
        <translation>Day bulletin</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/printing/jobs.py" line="332" />
        <source>催办单（全部逾期案件）</source>
        <translation>Reminder notices (all overdue cases)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/printing/jobs.py" line="334" />
        <source>催办单 {0}</source>
        <translation>Reminder notice {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/printing/jobs.py" line="336" />
        <source>催办单（{0}件）</source>
        <translation>Reminder notices ({0} cases)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/printing/jobs.py" line="343" />
        <source>接访案件办理情况统计表</source>
        <translation>Case handling figures by department</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/printing/jobs.py" line="389" />
        <source>无法生成打印文档</source>
        <translation>Could not make the document</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/printing/jobs.py" line="430" />
        <source>正在生成{0}…</source>
        <translation>Making {0}…</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/printing/jobs.py" line="431" />
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/printing/jobs.py" line="437" />
        <source>生成打印文档</source>
        <translation>Making the document</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/printing/jobs.py" line="455" />
        <source>正在生成{0}：第 {1} / {2} 份</source>
        <translation>Making {0}: {1} of {2}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/printing/preview_dialog.py" line="450" />
        <source>部分字符无法打印</source>
        <translation>Some characters cannot be printed</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/printing/preview_dialog.py" line="451" />
        <source>以下 {0} 个字符没有可用的字体，在文档中显示为空框：
{1}

文档已生成，打印后请手写补全。</source>
        <translation>No shipped font has these {0} character(s); they show as empty boxes in the document:
{1}

The document was made; please write them in by hand after printing.</translation>
    </message>
</context>
<context>
    <name>registrations</name>
    <message>
        <location filename="../../reception_desk/ui/models/registrations_model.py" line="85" />
        <source>土地拆迁</source>
        <translation>Land acquisition &amp; demolition</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/registrations_model.py" line="86" />
        <source>安全生产与环境保护</source>
        <translation>Work safety &amp; environment</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/registrations_model.py" line="87" />
        <source>劳动和社会保障</source>
        <translation>Labour &amp; social security</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/registrations_model.py" line="88" />
        <source>基层组织建设及反腐败</source>
        <translation>Grassroots organisation &amp; anti-corruption</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/registrations_model.py" line="89" />
        <source>农林水利</source>
        <translation>Agriculture, forestry &amp; water</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/registrations_model.py" line="90" />
        <source>交通基础设施</source>
        <translation>Transport infrastructure</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/registrations_model.py" line="91" />
        <source>涉法涉诉</source>
        <translation>Law &amp; litigation</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/registrations_model.py" line="92" />
        <source>城乡建设与住房</source>
        <translation>Urban-rural construction &amp; housing</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/registrations_model.py" line="93" />
        <source>教育卫生</source>
        <translation>Education &amp; health</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/registrations_model.py" line="94" />
        <source>民政与社会事务</source>
        <translation>Civil affairs &amp; social matters</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/registrations_model.py" line="95" />
        <source>经济与企业</source>
        <translation>Economy &amp; enterprises</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/registrations_model.py" line="96" />
        <source>综合（其他）</source>
        <translation>General (other)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/registrations_model.py" line="97" />
        <source>已登记</source>
        <translation>Registered</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/registrations_model.py" line="98" />
        <source>已签到</source>
        <translation>Checked in</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/registrations_model.py" line="99" />
        <source>候谈</source>
        <translation>Waiting</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/registrations_model.py" line="100" />
        <source>接谈中</source>
        <translation>In session</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/registrations_model.py" line="101" />
        <source>已接待</source>
        <translation>Done</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/registrations_model.py" line="102" />
        <source>未到</source>
        <translation>No-show</translation>
    </message>
</context>
<context>
    <name>reprint_offer</name>
    <message>
        <location filename="../../reception_desk/ui/printing/reprint_offer.py" line="39" />
        <source>第{0}接待室</source>
        <translation>Room {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/printing/reprint_offer.py" line="40" />
        <source>{0} {1} 已调至{2}，新的排队号为 {3} 号。</source>
        <translation>{0} {1} moved to {2}; the new queue number is {3}.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/printing/reprint_offer.py" line="44" />
        <source>（前面还有 {0} 批）</source>
        <translation> ({0} batches ahead)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/printing/reprint_offer.py" line="48" />
        <source>重新打印排队号</source>
        <translation>Reprint queue ticket</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/printing/reprint_offer.py" line="50" />
        <source>原排队号已作废。重新打印排队号？</source>
        <translation>The old queue number is void. Reprint the queue ticket?</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/printing/reprint_offer.py" line="51" />
        <source>重新打印</source>
        <translation>Reprint</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/printing/reprint_offer.py" line="52" />
        <source>不打印</source>
        <translation>Don't print</translation>
    </message>
</context>
<context>
    <name>retention_notice</name>
    <message>
        <location filename="../../reception_desk/ui/widgets/retention_notice.py" line="42" />
        <source>数据保留</source>
        <translation>Data retention</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/retention_notice.py" line="43" />
        <source>将 {0} 人的个人信息化名处理？</source>
        <translation>Pseudonymise the personal data of {0} people?</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/retention_notice.py" line="45" />
        <source>姓名改为“某某”，身份证号和电话删除，且无法恢复。案件内容和统计数据保持不变。处理前请确认已按规定备份。</source>
        <translation>Names become “某某”, ID and phone numbers are deleted and cannot be recovered. Case facts and figures stay as they are. Make sure a backup has been taken as the rules require.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/retention_notice.py" line="51" />
        <source>化名处理</source>
        <translation>Pseudonymise</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/retention_notice.py" line="53" />
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/retention_notice.py" line="74" />
        <source>已化名处理 {0} 人（{1} 批，{2} 件）；案件和统计数据不变。</source>
        <translation>Pseudonymised {0} people ({1} batches, {2} cases); cases and figures are unchanged.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/retention_notice.py" line="93" />
        <source>立即处理…</source>
        <translation>Handle now…</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/retention_notice.py" line="96" />
        <source>稍后</source>
        <translation>Later</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/retention_notice.py" line="126" />
        <source>数据保留：有 {0} 人的个人信息已超过保留期限（{1} 之前结案，保留 {2} 年），应化名处理。</source>
        <translation>Data retention: the personal data of {0} people is past its retention period (cases closed before {1}, kept {2} years) and should be pseudonymised.</translation>
    </message>
</context>
<context>
    <name>roles</name>
    <message>
        <location filename="../../reception_desk/ui/dialogs/login_dialog.py" line="42" />
        <source>登记台</source>
        <comment>role</comment>
        <translation>Desk</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/login_dialog.py" line="43" />
        <source>接待室</source>
        <comment>role</comment>
        <translation>Room host</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/login_dialog.py" line="44" />
        <source>督办</source>
        <comment>role</comment>
        <translation>Supervisor</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/login_dialog.py" line="45" />
        <source>管理员</source>
        <comment>role</comment>
        <translation>Admin</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/dialogs/login_dialog.py" line="47" />
        <source>单机模式</source>
        <comment>role</comment>
        <translation>single-laptop mode</translation>
    </message>
</context>
<context>
    <name>room_card</name>
    <message>
        <location filename="../../reception_desk/ui/widgets/room_card.py" line="80" />
        <source>已登记</source>
        <translation>Registered</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/room_card.py" line="81" />
        <source>已签到</source>
        <translation>Checked in</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/room_card.py" line="82" />
        <location filename="../../reception_desk/ui/widgets/room_card.py" line="431" />
        <source>候谈</source>
        <translation>Waiting</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/room_card.py" line="83" />
        <location filename="../../reception_desk/ui/widgets/room_card.py" line="432" />
        <source>接谈中</source>
        <translation>In session</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/room_card.py" line="84" />
        <location filename="../../reception_desk/ui/widgets/room_card.py" line="433" />
        <source>已接待</source>
        <translation>Done</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/room_card.py" line="85" />
        <source>未到</source>
        <translation>No-show</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/room_card.py" line="93" />
        <source>身份证待核</source>
        <translation>ID to check</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/room_card.py" line="94" />
        <source>集体访</source>
        <translation>Collective</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/room_card.py" line="95" />
        <source>疑似重复</source>
        <translation>Duplicate?</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/room_card.py" line="96" />
        <source>类别推断</source>
        <translation>Theme guessed</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/room_card.py" line="97" />
        <source>重复访</source>
        <translation>Repeat visit</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/room_card.py" line="105" />
        <source>证</source>
        <translation>ID</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/room_card.py" line="106" />
        <source>集</source>
        <translation>Grp</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/room_card.py" line="107" />
        <source>重</source>
        <translation>Dup</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/room_card.py" line="108" />
        <source>推</source>
        <translation>Inf</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/room_card.py" line="109" />
        <source>复</source>
        <translation>R</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/room_card.py" line="168" />
        <source>{0} {1} {2}人</source>
        <translation>{0} {1} {2}p</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/room_card.py" line="178" />
        <source>{0}人</source>
        <translation>{0} people</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/room_card.py" line="182" />
        <source>排队号 {0}</source>
        <translation>Ticket {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/room_card.py" line="185" />
        <source>人工调整</source>
        <translation>moved by hand</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/room_card.py" line="371" />
        <source>批 {0}人</source>
        <translation> · {0}p</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/room_card.py" line="373" />
        <source>{0}：{1} 批，{2} 人</source>
        <translation>{0}: {1} batches, {2} people</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/room_card.py" line="471" />
        <source>主持领导待定</source>
        <translation>Host to be named</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/room_card.py" line="474" />
        <source>主持：{0}
地点：{1}
容量：{2}人</source>
        <translation>Host: {0}
Location: {1}
Capacity: {2} people</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/room_card.py" line="483" />
        <source>▶ {0} {1} {2}人</source>
        <translation>▶ {0} {1} ({2} people)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/room_card.py" line="488" />
        <source>▶ 暂无接谈</source>
        <translation>▶ No session</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/room_card.py" line="491" />
        <source>队列 {0} 批（未签到 {1}）</source>
        <translation>Queue: {0} ({1} not checked in)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/room_card.py" line="495" />
        <source>队列为空</source>
        <translation>Queue empty</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/room_card.py" line="501" />
        <source>候谈 {0} 人 &gt; 容量 {1}</source>
        <translation>{0} waiting &gt; cap. {1}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/room_card.py" line="509" />
        <source>{0} {1}人 &gt; 容量 {2}</source>
        <translation>{0}: {1} &gt; cap. {2}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/room_card.py" line="515" />
        <source>{0} 批人数 &gt; 容量 {1}</source>
        <translation>{0} batches &gt; cap. {1}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/room_card.py" line="518" />
        <source>{0} {1} {2}人 &gt; 容量 {3}</source>
        <translation>{0} {1}: {2} people &gt; capacity {3}</translation>
    </message>
</context>
<context>
    <name>rooms</name>
    <message>
        <location filename="../../reception_desk/ui/room_names.py" line="16" />
        <source>第{0}接待室</source>
        <translation>Room {0}</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/room_names.py" line="21" />
        <source>第{0}室</source>
        <translation>Room {0}</translation>
    </message>
</context>
<context>
    <name>self.model</name>
    <message>
        <location filename="../../reception_desk/ui/pages/tracking_page.py" line="410" />
        <source>督</source>
        <translation>Sup</translation>
    </message>
</context>
<context>
    <name>tag_legend</name>
    <message>
        <location filename="../../reception_desk/ui/widgets/tag_legend.py" line="36" />
        <source>同一来访人当天已有登记，可能重复：签到前请核对。</source>
        <translation>The same visitor is already registered today, maybe twice: check before the check-in.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/tag_legend.py" line="37" />
        <source>5 人及以上的集体访；已到场时粗体显示，注意接待室容量。</source>
        <translation>A collective visit of 5 people or more; bold once at the venue; mind the room's capacity.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/tag_legend.py" line="40" />
        <source>身份证号缺失或校验不通过：签到时请核对证件。</source>
        <translation>The ID number is missing or fails its checksum: check the ID card at check-in.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/tag_legend.py" line="41" />
        <source>问题类别由诉求内容推断，分配的接待室可能需要调整。</source>
        <translation>The theme was guessed from the request; the room may need changing.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/tag_legend.py" line="44" />
        <source>该来访人在此前的接访日已有案件（重复访），需提级核查。</source>
        <translation>The visitor has a case from an earlier reception day (repeat visit): escalated review.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/tag_legend.py" line="61" />
        <source>接谈中</source>
        <translation>In session</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/tag_legend.py" line="62" />
        <source>正在接待室接谈的批次</source>
        <translation>The batch being received in the room</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/tag_legend.py" line="67" />
        <source>灰色</source>
        <translation>Grey</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/tag_legend.py" line="68" />
        <source>未签到</source>
        <translation>Not checked in</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/tag_legend.py" line="69" />
        <source>已分配但尚未到场签到的批次；黑色为已到场候谈</source>
        <translation>Placed in the room but not checked in yet; black: at the venue, waiting</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/tag_legend.py" line="74" />
        <source>粗体</source>
        <translation>Bold</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/tag_legend.py" line="75" />
        <source>需留意</source>
        <translation>mind</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/tag_legend.py" line="76" />
        <source>已到场的集体访或身份证待核批次</source>
        <translation>A collective visit or an ID to check, at the venue</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/tag_legend.py" line="82" />
        <source>超容量</source>
        <translation>over capacity</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/tag_legend.py" line="83" />
        <source>候谈人数或某批人数超过接待室容量；卡片红框标出</source>
        <translation>More people waiting, or a batch larger, than the room holds; the card is framed in red</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/tag_legend.py" line="88" />
        <source>右键 / M / F6</source>
        <translation>Right-click / M / F6</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/tag_legend.py" line="89" />
        <source>调至…接待室</source>
        <translation>Move to room…</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/tag_legend.py" line="90" />
        <source>在选中的批次上按 M 或 F6（或右键、菜单键）选择接待室，填写原因后调整；也可拖动</source>
        <translation>On the selected batch press M or F6 (or right-click, or the menu key), pick the room and give the reason; dragging works too</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/tag_legend.py" line="111" />
        <source>图例：</source>
        <translation>Legend:</translation>
    </message>
</context>
<context>
    <name>tracking</name>
    <message>
        <location filename="../../reception_desk/ui/models/tracking_model.py" line="78" />
        <source>待签收</source>
        <translation>Not signed</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/tracking_model.py" line="79" />
        <source>已签收</source>
        <translation>Signed for</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/tracking_model.py" line="80" />
        <source>已反馈</source>
        <translation>Replied</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/tracking_model.py" line="81" />
        <location filename="../../reception_desk/ui/models/tracking_model.py" line="123" />
        <source>已办结</source>
        <translation>Closed</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/tracking_model.py" line="82" />
        <source>满意</source>
        <translation>Satisfied</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/tracking_model.py" line="83" />
        <source>基本满意</source>
        <translation>Fairly satisfied</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/tracking_model.py" line="84" />
        <source>不满意</source>
        <translation>Dissatisfied</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/tracking_model.py" line="85" />
        <source>未能联系</source>
        <translation>Unreachable</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/tracking_model.py" line="86" />
        <source>绿色</source>
        <translation>Green</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/tracking_model.py" line="87" />
        <source>黄色</source>
        <translation>Yellow</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/tracking_model.py" line="88" />
        <source>红色</source>
        <translation>Red</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/tracking_model.py" line="89" />
        <source>交办</source>
        <translation>Handed over</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/tracking_model.py" line="90" />
        <source>当场解决</source>
        <translation>Resolved on the spot</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/tracking_model.py" line="91" />
        <source>解释说明</source>
        <translation>Explained</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/tracking_model.py" line="92" />
        <source>签收</source>
        <translation>Sign for</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/tracking_model.py" line="93" />
        <source>反馈</source>
        <translation>Feedback</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/tracking_model.py" line="94" />
        <source>延期</source>
        <translation>Extend</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/tracking_model.py" line="95" />
        <source>办结</source>
        <translation>Close</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/tracking_model.py" line="96" />
        <source>回访</source>
        <translation>Follow-up</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/tracking_model.py" line="97" />
        <source>挂牌督办</source>
        <translation>Supervise</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/tracking_model.py" line="98" />
        <source>提级核查</source>
        <translation>Escalate</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/tracking_model.py" line="99" />
        <source>电话</source>
        <translation>Phone</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/tracking_model.py" line="100" />
        <source>上门</source>
        <translation>Visit</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/tracking_model.py" line="101" />
        <source>短信</source>
        <translation>SMS</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/tracking_model.py" line="118" />
        <source>逾期 {0} 天</source>
        <translation>{0} days late</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/tracking_model.py" line="120" />
        <source>今日到期</source>
        <translation>Due today</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/tracking_model.py" line="121" />
        <source>即将到期</source>
        <translation>Due next</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/tracking_model.py" line="122" />
        <source>办理中</source>
        <translation>In progress</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/tracking_model.py" line="124" />
        <source>当场办结</source>
        <translation>Closed at once</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/models/tracking_model.py" line="134" />
        <location filename="../../reception_desk/ui/pages/tracking_page.py" line="400" />
        <source>待回访</source>
        <translation>To follow up</translation>
    </message>
</context>
<context>
    <name>user_bar</name>
    <message>
        <location filename="../../reception_desk/ui/widgets/user_bar.py" line="30" />
        <source>单机模式：本数据库尚未设置用户，任何人都可操作。请在 设置 → 用户 中创建管理员。</source>
        <translation>Single-laptop mode: this database has no users yet and anyone can do anything. Create an admin in Settings → Users.</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/user_bar.py" line="46" />
        <source>修改密码…</source>
        <translation>Change password…</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/user_bar.py" line="59" />
        <source>操作人：{0}（单机模式）</source>
        <translation>Acting as {0} (single-laptop mode)</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/user_bar.py" line="61" />
        <source>本数据库尚未设置用户</source>
        <translation>This database has no users yet</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/user_bar.py" line="64" />
        <source>用户：{0}（{1}）</source>
        <translation>User: {0} ({1})</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/user_bar.py" line="67" />
        <source>点击修改密码</source>
        <translation>Click to change the password</translation>
    </message>
    <message>
        <location filename="../../reception_desk/ui/widgets/user_bar.py" line="73" />
        <source>密码已修改。</source>
        <translation>Password changed.</translation>
    </message>
</context>
</TS>